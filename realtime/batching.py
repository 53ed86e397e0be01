"""One thread hop for many sockets: requests made in the same moment share one call.

A reconnect storm brings hundreds of handshakes into the event loop at once,
each wanting a small database read (its session and principal, its wedding's
version). One thread hop each is what made connecting slow (issue 14): every
hop is a submit to the thread pool, a GIL hand-over and a wake-up of the loop,
and the loop is the one thing every socket shares. `Batcher` collects the
requests made while the loop runs, and while its previous call is still
running, and answers them all with one call of `run(items)` — one hop, one
query per kind of row — in the spirit of the shared renders
(DESIGN §4.6). A quiet process pays nothing extra: a lone request starts
its call on the next loop iteration.

Requests submitted before a call starts are in that call; a request made
while a call runs waits for the next one (never for a call that started
before it was made: `realtime.consumers` relies on that for its version
reads, which must start after the socket is subscribed).

No I/O here: `run` is any coroutine function (the callers give it a
`database_sync_to_async` function); `tests/realtime/test_batching.py` drives
it with plain coroutines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

__all__ = ["Batcher"]

MAX_BATCH = 256  # items per call (an IN (...) list stays well inside every database's limit)


class Batcher[Item, Result]:
    """`await batcher(item)` → `run([...items])[i]` for this item, one `run` per batch.

    `run(items)` returns one result per item, in order; if it raises, every
    request of that batch gets the exception. At most one call runs at a time.
    """

    def __init__(self, run: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]], *, max_batch: int = MAX_BATCH):
        self.run = run
        self.max_batch = max_batch
        self.calls = 0  # calls of `run` so far (counters, tests)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[Item, asyncio.Future]] = []
        self._busy = False  # a call is scheduled or running

    async def __call__(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests run one per test): start afresh
            self._loop, self._pending, self._busy = loop, [], False
        future = loop.create_future()
        self._pending.append((item, future))
        if not self._busy:
            self._busy = True
            loop.call_soon(self._start)  # requests made in this loop iteration join the call
        return await future

    def _start(self) -> None:
        batch = [(item, future) for item, future in self._pending[: self.max_batch] if not future.done()]
        del self._pending[: self.max_batch]
        if not batch:
            if self._pending:
                self._loop.call_soon(self._start)
            else:
                self._busy = False
            return
        self.calls += 1
        self._loop.create_task(self._call(batch))

    async def _call(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            results = await self.run([item for item, _future in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch of {len(batch)} got {len(results)} results")
        except Exception as error:  # handed to every waiter of the batch
            for _item, future in batch:
                if not future.done():
                    future.set_exception(error)
        except BaseException:  # cancelled (the loop is shutting down): so are the waiters
            for _item, future in batch:
                future.cancel()
            raise
        else:
            for (_item, future), result in zip(batch, results, strict=True):
                if not future.done():  # its socket may have gone meanwhile
                    future.set_result(result)
        finally:
            if asyncio.get_running_loop() is self._loop:  # else a new loop took the batcher over
                if self._pending:
                    self._start()
                else:
                    self._busy = False

    def __repr__(self) -> str:
        return f"<Batcher {getattr(self.run, '__name__', self.run)!r} calls={self.calls}>"
