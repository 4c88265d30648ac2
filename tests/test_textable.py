"""The terminal tables (rich underneath): plain text that reads the same in a pipe."""

from __future__ import annotations

from arshjul.textable import render


def test_a_table_is_plain_text_with_a_rule_under_the_headers() -> None:
    text = render(
        ["Skede", "Enhet", "Sen"],
        [
            ["Tertialuppföljning 2027", "Barn- och utbildningsnämnden", "3 dgr"],
            ["Delårsrapport 2027", "Valnämnden", ""],
        ],
    )
    lines = text.splitlines()
    assert lines[0].split() == ["Skede", "Enhet", "Sen"]
    assert set(lines[1]) == {"─"}
    assert lines[2] == "Tertialuppföljning 2027  Barn- och utbildningsnämnden  3 dgr"
    # Columns line up under their headers, two spaces apart; no trailing blanks.
    assert lines[3] == "Delårsrapport 2027       Valnämnden"
    assert lines[0].index("Enhet") == lines[2].index("Barn-")
    assert "\x1b" not in text and all(line == line.rstrip() for line in lines)


def test_cells_are_taken_literally_and_never_wrapped() -> None:
    name = "[bold]Nämnd[/bold] :smile: " + "å" * 150
    text = render(["Enhet", "Status"], [[name, "öppen"]])
    assert text.splitlines()[2] == f"{name}  öppen"
    assert len(text.splitlines()) == 3


def test_no_rows_gives_the_headers_only() -> None:
    assert render(["Skede", "Status"], []).splitlines()[0] == "Skede  Status"
