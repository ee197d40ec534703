"""The bench's console tables and the small parsers behind the per-process figures."""

from __future__ import annotations

from rich.console import Console

from adapter.bench import pg, report
from adapter.bench.adapters import names, parse_declarations
from adapter.bench.run import RunResult
from tests.unit.bench.test_summary import _summarise


def _render(table: object) -> str:
    console = Console(record=True, width=400)
    console.print(table)
    return console.export_text()


def test_declarations_of_one_process_from_its_metrics() -> None:
    text = (
        "# TYPE dimona_adapter_declarations_total counter\n"
        'dimona_adapter_declarations_total{kind="IN",result="A"} 120.0\n'
        'dimona_adapter_declarations_total{kind="OUT",result="A"} 80.0\n'
        'dimona_adapter_declarations_created{kind="IN",result="A"} 1.7e9\n'
        'dimona_adapter_declaration_transitions_total{state="SUBMITTED"} 200.0\n'
    )
    assert parse_declarations(text) == 200.0
    assert parse_declarations("") == 0.0


def test_process_names() -> None:
    assert names(1) == ["adapter"]
    assert names(2) == ["adapter-1", "adapter-2"]


def test_a_fresh_database_url_keeps_the_server_and_options() -> None:
    url = "postgresql://postgres@127.0.0.1:5432/test?options=-cfoo"
    assert (
        pg.with_database(url, "bench_1")
        == "postgresql://postgres@127.0.0.1:5432/bench_1?options=-cfoo"
    )


def test_tables_show_every_party_and_every_process() -> None:
    run = RunResult("concurrent", 200, _summarise({"adapter-1": 80.0, "adapter-2": 120.0}),
                    label="postgres-2")  # fmt: skip
    cpu = _render(report.cpu_table("CPU", [run]))
    for party in ("adapter s/1k", "sandbox s/1k", "broker s/1k", "bench s/1k", "postgres s/1k"):
        assert party in cpu
    assert "adapter-2 (0.20)" in cpu  # the busiest process, its cores over the 30 s
    processes = _render(report.process_table("per process", [run]))
    assert "adapter-1" in processes
    assert "adapter-2" in processes
    assert "total" in processes
    run.summary["onss_requests_per_declaration"] = 2.0  # added by the run, after the summary
    main = _render(report.table("runs", [run]))
    assert "0 of " in main  # empty 1 s buckets


def test_the_cpu_table_leaves_out_a_party_no_run_had() -> None:
    s = _summarise({"adapter-1": None})
    for key in ("cpu_cores", "cpu_s_per_1000_declarations"):
        s[key] = {k: v for k, v in s[key].items() if k != "postgres"}
    cpu = _render(report.cpu_table("CPU", [RunResult("concurrent", 200, s)]))
    assert "postgres" not in cpu
