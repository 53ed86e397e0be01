"""Smoke test of the invitation-rush and fan-out benchmarks' plain parts (no server, no locust).

The benchmarks themselves (bench/rush.py, bench/fanout.py) start servers and run for minutes:
they are not part of the suite. What is checked here is what would otherwise only fail in the
middle of a long run: the arguments, the RSVP form the locust households fill in, the live page
the sockets read their regions from, and the frame the send() floor writes.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench import fanout, rush

RSVP_PAGE = """
<form method="post" action="/signout/"><input type="hidden" name="csrfmiddlewaretoken" value="a"></form>
<form method="post" action="">
  <input type="hidden" name="csrfmiddlewaretoken" value="b">
  <input type="radio" name="g1_e1_status" value="attending"><input type="radio" name="g1_e1_status" value="declined">
  <input type="radio" name="g1_e2_status" value="declined"><input type="radio" name="g1_e2_status" value="attending">
  <select name="g1_e2_meal"><option value="">Choose a meal…</option><option value="7">Fish</option>
  <option value="8">Vegetables</option></select>
  <textarea name="note"></textarea>
</form>
"""


def test_defaults_are_the_issue_targets():
    args = rush.parse_args([])
    assert (args.households, args.seconds, args.guest_sockets, args.planner_sockets) == (1000, 120.0, 500, 5)


@pytest.mark.parametrize("argv", [["--households", "0"], ["--seconds", "0"], ["--weddings", "0"], ["--servers", "0"]])
def test_bad_sizes_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        rush.parse_args(argv)
    assert "must be" in capsys.readouterr().err


def test_the_household_fills_the_rsvp_form_not_the_signout_form():
    parser = rush.RsvpFormParser()
    parser.feed(RSVP_PAGE)
    assert parser.data == {
        "csrfmiddlewaretoken": "b", "g1_e1_status": "attending", "g1_e2_status": "attending", "g1_e2_meal": "7",
    }


def test_a_page_without_the_form_gives_nothing_to_submit():
    parser = rush.RsvpFormParser()
    parser.feed('<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="a"></form>')
    assert parser.data == {}


def test_live_page_regions_and_socket_are_read_as_live_js_reads_them():
    parser = rush.LivePageParser()
    parser.feed(
        '<div id="live-page" data-live-socket="/ws/live/?wedding=3&amp;as=household" data-live-version="41"></div>'
        '<div data-live-region="guest_table"></div><div data-live-region="dash_guests" data-live-params="q=ana&amp;p=2">'
    )
    assert (parser.socket, parser.version) == ("/ws/live/?wedding=3&as=household", 41)
    assert parser.regions == [
        {"name": "guest_table", "params": {}}, {"name": "dash_guests", "params": {"q": "ana", "p": "2"}},
    ]


def test_server_cpu_per_request_is_all_its_cpu_over_the_requests():
    assert rush.cpu_ms_per_request(12.6, 600) == 21.0
    assert rush.cpu_ms_per_request(3.0, 0) is None


def test_frames_cover_by_version_in_arrival_order():
    frames = [(1.0, 5), (2.0, 9), (3.0, 12)]
    assert rush.covered_at(frames, 9) == 2.0
    assert rush.covered_at(frames, 10) == 3.0
    assert rush.covered_at(frames, 13) is None


@pytest.mark.parametrize("size, header", [(5, b"\x81\x05"), (300, b"\x81\x7e\x01\x2c"), (70000, b"\x81\x7f")])
def test_the_floor_writes_a_server_websocket_frame(size, header):
    frame = fanout.websocket_frame(b"x" * size)
    assert frame.startswith(header)
    assert len(frame) == size + {5: 2, 300: 4, 70000: 10}[size]


def test_the_summary_says_how_many_households_did_not_finish(capsys):
    args = rush.parse_args(["--households", "3"])
    requests = [["0 floor /", 0.0, 5.0, 200, ""]]
    for household in (1, 2, 3):
        requests += [["1 entry link", 0.0, 40.0, 302, ""], ["2 home", 0.0, 50.0, 200, ""]]
        if household < 3:  # the third was still on its way when locust stopped
            requests += [["6 table", 0.0, 50.0, 200, ""]]
    results = {"requests": requests, "submits": [], "households_left": 0}
    result = rush.summarize(args, results, {}, [], {
        "elapsed_s": 10.0, "server_cpu_percent": 50, "locust_cpu_percent": 2, "sockets_cpu_percent": 0,
        "server_cpu_ms_per_request": rush.cpu_ms_per_request(5.0, len(requests)),
        "rss_mb": {"start": 1.0, "peak": 2.0, "end": 2.0}, "sockets_welcomed": 0, "households_left": 0,
    })
    rush.print_summary(args, result)
    out = capsys.readouterr().out
    assert "not through all six steps when locust stopped 1 " in out
    assert f"server CPU per request {round(5000 / len(requests), 1)} ms" in out


def test_one_server_unless_told():
    assert rush.parse_args([]).servers == 1
    assert rush.parse_args(["--servers", "2"]).servers == 2


def test_households_and_planners_stick_to_server_i_mod_n():
    items = rush.assign_servers([{"id": n} for n in (7, 3, 9, 4, 5)], 2)
    assert [i["server"] for i in items] == [0, 1, 0, 1, 0]
    assert {i["server"] for i in rush.assign_servers([{"id": 1}, {"id": 2}], 1)} == {0}


def test_server_cpu_and_rss_are_given_per_server_and_summed():
    figures = rush.server_figures(
        [30.0, 50.0], [{"start": 180.0, "peak": 200.0, "end": 190.0}, {"start": 181.0, "peak": 210.5, "end": 195.0}],
        100.0,
    )
    assert figures["server_cpu_percent"] == 80
    assert figures["rss_mb"] == {"start": 361.0, "peak": 410.5, "end": 385.0}
    assert [s["cpu_percent"] for s in figures["per_server"]] == [30, 50]
    assert figures["per_server"][1]["peak"] == 210.5


def test_rsvps_seen_on_another_process_are_counted(capsys):
    args = rush.parse_args(["--households", "2", "--servers", "2"])
    results = {"requests": [["4 submit", 0.0, 40.0, 302, ""]] * 2, "households_left": 0, "submits": [
        {"household": h, "wedding": 1, "server": h % 2, "start": 10.0, "end": 10.1, "ok": True} for h in (1, 2)
    ]}
    planners = [rush.Socket("planner", 1, "s", "/ws/", [], server=n, frames=[(10.3, 8)]) for n in (0, 1)]
    result = rush.summarize(args, results, {1: 7, 2: 8}, planners, {
        "elapsed_s": 10.0, **rush.server_figures([1.0, 2.0], [{"start": 1.0, "peak": 1.0, "end": 1.0}] * 2, 10.0),
        "locust_cpu_percent": 2, "sockets_cpu_percent": 0, "server_cpu_ms_per_request": 1.0,
        "sockets_welcomed": 2, "households_left": 0,
    })
    assert result["rsvp_to_planner_ms"]["pairs"] == 4
    assert result["rsvp_to_planner_ms"]["across_servers"] == 2  # household 1 on server 1 → planner 0, 2 → 1
    rush.print_summary(args, result)
    out = capsys.readouterr().out
    assert "2 of the pairs across processes" in out
    assert "per server: 0: CPU 10%" in out and "1: CPU 20%" in out


def test_postgresql_cpu_is_the_cpu_of_processes_named_postgres(tmp_path):
    """A process whose name is `postgres` (here Python started through a link of that name) is
    counted; the figure can only grow by what it burned, whatever else runs."""
    postgres = tmp_path / "postgres"
    postgres.symlink_to(sys.executable)
    before = rush.postgres_cpu_seconds()
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ninput()"
    process = subprocess.Popen([str(postgres), "-c", burn], stdin=subprocess.PIPE)
    try:
        for _ in range(100):  # bounded: at most 10 s for its 0.3 s of CPU
            if rush.postgres_cpu_seconds() - before >= 0.29:
                break
            time.sleep(0.1)
        assert rush.postgres_cpu_seconds() - before >= 0.29
    finally:
        process.communicate(b"\n", timeout=10)
