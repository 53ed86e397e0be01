"""Does niced background work slow a nice-0 process on this machine? (issue 19, photo flood)

    .venv/bin/python bench/nicecheck.py

deploy/ runs the upload process and the task workers at Nice=10 so that a photo flood gives way
to the page processes. That holds only if the kernel and the hardware let it: this times a
fixed piece of Python work (dict and string building, a page view's kind of work) in this
process, at nice 0, first alone, then beside background processes of several kinds: pure-Python
CPU burners, memory-copying burners (64 MB buffers: the memory bus and the shared cache),
JPEG-decoding burners (a 2400 × 1800 noise JPEG decoded at thumbnail scale, the workers' own
work), at nice 10 and, for comparison, at nice 0. Printed: p50 and p95 of `--repeat` runs each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

CPU = "while 1: pass"
MEMORY = "b = bytearray(64 << 20)\nwhile 1:\n    c = bytes(b); b[:] = c"
JPEG = (
    "import io, os\nfrom PIL import Image\nraw = io.BytesIO()\n"
    "Image.frombytes('RGB', (2400, 1800), os.urandom(2400 * 1800 * 3)).save(raw, 'JPEG', quality=95)\n"
    "while 1:\n    raw.seek(0); im = Image.open(raw); im.draft('RGB', (480, 480)); im.load()"
)


def work() -> float:
    started = time.perf_counter()
    built = {i: str(i) * 2 for i in range(150_000)}
    sum(len(v) for v in built.values())
    return time.perf_counter() - started


def measure(label: str, repeat: int) -> None:
    times = sorted(work() for _ in range(repeat))
    p50, p95 = times[len(times) // 2], times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {label:<38} p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--burners", type=int, default=2, help="background processes of each kind")
    args = parser.parse_args()
    print(f"fixed work at nice 0, {args.repeat} runs each; {args.burners} background process(es) of each kind:")
    measure("alone", args.repeat)
    for kind, code in (("CPU", CPU), ("memory-copy", MEMORY), ("JPEG-decode", JPEG)):
        for nice in (10, 0):
            burners = [subprocess.Popen(["nice", "-n", str(nice), sys.executable, "-c", code])
                       for _ in range(args.burners)]
            try:
                time.sleep(2)  # the JPEG burners make their picture first
                measure(f"beside {kind} burners at nice {nice}", args.repeat)
            finally:
                for burner in burners:
                    burner.kill()
                    burner.wait()
            time.sleep(1)
    measure("alone again", args.repeat)


if __name__ == "__main__":
    main()
