"""The project's promises: the README's commands, CI, the console script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from allocation.cli import demo_auction, main
from auctions import conserves_permits, is_budget_balanced

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_the_two_commands():
    first, second = readme_commands()[:2]
    assert "pip install" in first and "permits demo" in first
    assert "pip install" in second and "pytest" in second
    assert "ruff check" in second and "mypy" in second


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    test_command = readme_commands()[1]
    assert test_command in script.splitlines()
    assert "CI=true" in script


def test_demo_prints_a_table(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "uniform_price" in out and "vickrey" in out and "steel-new" in out
    assert "vintage gap" in out and "historical_intensity" in out


def test_scenario_command(tmp_path, capsys):
    from allocation.simulation import Scenario

    path = Scenario.example(years=3).save(tmp_path / "market.toml")
    plot = tmp_path / "scenario.png"
    assert main(["scenario", str(path), "--seed", "1", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "2028" in out and "market_price" in out
    assert plot.stat().st_size > 0
    assert main(["scenario", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conserves_permits"] is True
    assert [row["year"] for row in data["years"]] == [2026, 2027, 2028]
    (tmp_path / "broken.toml").write_text('name = "x"\nyears = = 2\n')
    assert main(["scenario", str(tmp_path / "broken.toml")]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "line 2" in err


def test_demo_json_is_machine_readable(capsys):
    assert main(["demo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["auction"]) == {"uniform_price", "pay_as_bid", "vickrey"}
    assert data["auction"]["uniform_price"]["sold"] == 800
    rules = data["allocation_rules"]
    assert set(rules) == {"grandfathering", "benchmarking", "historical_intensity",
                          "equal_quantity"}
    # Grandfathering gives new entrants nothing: the vintage gap is all the incumbents get.
    g = rules["grandfathering"]
    assert g["new entrants: free per output"] == 0.0
    assert g["vintage gap (free per output)"] == g["incumbents: free per output"] > 0
    # Every rule hands out the same free share of the same caps.
    assert len({r["free permits"] for r in rules.values()}) == 1


def test_demo_auction_by_hand():
    # Supply 800, lots of 10, limit 40% = 320. power-1 asks 300 at 31 and 200 at
    # 27.5: trimmed to 300 + 20. Above 27.5: 300 + 250 = 550; 250 left (25 lots)
    # for the tie at 27.5: power-1 2 lots, cement-1 15, steel-new 10 (27 lots).
    # Pro rata: floor(2*25/27)=1, floor(15*25/27)=13, floor(10*25/27)=9 -> 23,
    # two lots left over, at most one more each.
    r = demo_auction()
    assert r.clearing_price == 27.5
    won = {k: v.awarded for k, v in r.by_bidder().items()}
    assert won["power-2"] == 250
    assert won["power-1"] - 300 in (10, 20)
    assert won["cement-1"] in (130, 140)
    assert won["steel-new"] in (90, 100)
    assert won["power-1"] + won["cement-1"] + won["steel-new"] == 800 - 250
    assert "steel-1" not in won
    assert conserves_permits(r) and is_budget_balanced(r)


def test_console_script_module_runs():
    done = subprocess.run(
        [sys.executable, "-m", "allocation.cli", "demo"], capture_output=True, text=True,
        check=True,
    )
    assert "clearing price" in done.stdout


def write(tmp_path, text: str):
    path = tmp_path / "bids.csv"
    path.write_text(text)
    return path


def test_auction_command_clears_a_csv(tmp_path, capsys):
    path = write(tmp_path, "bidder,price,quantity\nA,12,4\nB,10,4\nC,8,4\n")
    assert main(["auction", str(path), "--supply", "10", "--reserve-price", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["clearing_price"] == 8.0
    assert [b["awarded"] for b in data["bids"]] == [4, 4, 2]
    plot = tmp_path / "auction.png"
    assert main(["auction", str(path), "--supply", "10", "--format", "vickrey",
                 "--plot", str(plot)]) == 0
    assert "vickrey" in capsys.readouterr().out
    assert plot.stat().st_size > 0


def test_auction_command_reports_file_line_and_field(tmp_path, capsys):
    path = write(tmp_path, "bidder,price,quantity\nA,12,4\nB,ten,4\n")
    assert main(["auction", str(path), "--supply", "10"]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 3, field 'price': 'ten' is not a number" in err
    path = write(tmp_path, "bidder,price\nA,12\n")
    assert main(["auction", str(path), "--supply", "10"]) == 2
    assert "line 1, field 'quantity': missing column" in capsys.readouterr().err
    path = write(tmp_path, "bidder,price,quantity\nA,12,2.5\n")
    assert main(["auction", str(path), "--supply", "10"]) == 2
    assert "line 2, field 'quantity': '2.5' is not a whole number" in capsys.readouterr().err
    assert main(["auction", str(tmp_path / "missing.csv"), "--supply", "10"]) == 2
    assert "missing.csv: cannot be read" in capsys.readouterr().err
    path = write(tmp_path, "bidder,price,quantity\nA,12,4\n")
    assert main(["auction", str(path), "--supply", "-1"]) == 2
    assert "supply must be >= 0 (got -1)" in capsys.readouterr().err


def test_readme_python_examples_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write files
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.+?)\n```", text, flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert "Reserve(permits=215, circulation=9810, cancelled=50" in capsys.readouterr().out
