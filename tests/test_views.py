"""Saved views: short names for links to a page of a workspace, stored in the workspace file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import journeylib as jl
from journeylib import i18n, views
from journeylib.workspace import open_workspace, read_meta, save_workspace

ROOT = Path(__file__).resolve().parent.parent
CSV = (
    b"customer_id,timestamp,stage\n"
    b"1,2026-03-01 10:00,Awareness\n1,2026-03-02 10:00,Purchase\n2,2026-03-01 12:00,Awareness\n"
)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    save_workspace(jl.load(CSV), "Shop", directory=tmp_path)
    return tmp_path


def test_a_view_round_trips_without_the_visitors_language(shop: Path) -> None:
    name = views.save_view(
        "Shop", "  Q3 checkout  ", "funnel",
        {"mode": "strict", "segment": ["B2B", "VIP"], "lang": "ru", "source": "sample"},
        directory=shop,
    )
    assert name == "Q3 checkout"
    view = views.get_view("Shop", "Q3 checkout", directory=shop)
    assert view == {"page": "funnel", "params": {
        "mode": "strict", "segment": ["B2B", "VIP"], "source": "workspace", "workspace": "Shop"}}
    listed = views.list_views("Shop", directory=shop)
    assert list(listed["name"]) == ["Q3 checkout"]
    assert list(listed.columns) == ["name", "page", "saved_at", "params"]
    # The data is untouched by saving a view.
    reopened = open_workspace("Shop", directory=shop)
    assert reopened.dataset.table.count().execute() == 3
    assert reopened.extras["views"]["Q3 checkout"]["page"] == "funnel"


def test_replacing_and_deleting_views(shop: Path) -> None:
    views.save_view("Shop", "a", "funnel", {"mode": "any"}, directory=shop)
    views.save_view("Shop", "a", "emotions", {"by": "channel"}, directory=shop)
    views.save_view("Shop", "Воронка-2", "funnel", {}, directory=shop)
    assert views.get_view("Shop", "a", directory=shop)["page"] == "emotions"
    views.delete_view("Shop", "a", directory=shop)
    views.delete_view("Shop", "never-saved", directory=shop)
    assert list(views.list_views("Shop", directory=shop)["name"]) == ["Воронка-2"]
    assert views.get_view("Shop", "a", directory=shop) is None
    assert views.get_view("Nowhere", "a", directory=shop) is None


@pytest.mark.parametrize("bad", ["", "   ", "x" * 41, "a/b", "view?x=1", "<script>"])
def test_view_names_are_short_and_plain(shop: Path, bad: str) -> None:
    with pytest.raises(jl.DataError, match="1 to 40"):
        views.save_view("Shop", bad, "funnel", {}, directory=shop)


def test_read_only_workspaces_keep_their_views(tmp_path: Path) -> None:
    save_workspace(jl.load(CSV), "Board", directory=tmp_path, read_only=True)
    with i18n.language("ru"), pytest.raises(jl.DataError, match="только для чтения"):
        views.save_view("Board", "mine", "funnel", {}, directory=tmp_path)


def test_two_processes_saving_at_once_both_keep_their_views(shop: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from journeylib import views
        folder = {str(shop)!r}
        for i in range(6):
            views.save_view("Shop", f"{{sys.argv[1]}}-{{i}}", "funnel", {{}}, directory=folder)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, who]) for who in ("ann", "bob")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(views.list_views("Shop", directory=shop)) == 12


def test_views_keep_the_data_id_and_saving_the_rows_changes_it(shop: Path) -> None:
    first = read_meta("Shop", directory=shop)["data_id"]
    assert len(first) == 32 and open_workspace("Shop", directory=shop).data_id == first
    views.save_view("Shop", "a", "funnel", {"mode": "any"}, directory=shop)
    assert read_meta("Shop", directory=shop)["data_id"] == first
    views.delete_view("Shop", "a", directory=shop)
    assert read_meta("Shop", directory=shop)["data_id"] == first
    save_workspace(jl.load(CSV), "Shop", directory=shop)
    assert read_meta("Shop", directory=shop)["data_id"] not in (first, None)


def test_saving_a_workspace_again_keeps_views_another_process_saved(shop: Path) -> None:
    views.save_view("Shop", "mine", "funnel", {"mode": "any"}, directory=shop)
    session = open_workspace("Shop", directory=shop)  # a session holds the workspace's extras
    session.extras["scorecard_targets"] = [{"touchpoint": "Checkout", "target": 0.3}]
    # Meanwhile a colleague's process adds a view and replaces "mine".
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from journeylib import views
        views.save_view("Shop", "theirs", "emotions", {{}}, directory={str(shop)!r})
        views.save_view("Shop", "mine", "journeys", {{}}, directory={str(shop)!r})
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    save_workspace(session.dataset, "Shop", directory=shop, extras=session.extras)
    assert sorted(views.list_views("Shop", directory=shop)["name"]) == ["mine", "theirs"]
    assert views.get_view("Shop", "mine", directory=shop)["page"] == "journeys"  # the file's
    assert open_workspace("Shop", directory=shop).extras["scorecard_targets"] == (
        session.extras["scorecard_targets"])
    # Told otherwise, the save writes exactly the views it was given.
    save_workspace(session.dataset, "Shop", directory=shop, extras=session.extras,
                   keep_views=False)
    assert list(views.list_views("Shop", directory=shop)["name"]) == ["mine"]
    assert views.get_view("Shop", "mine", directory=shop)["page"] == "funnel"


def test_views_saved_while_the_workspace_is_being_saved_are_kept(shop: Path) -> None:
    big = jl.load(jl.sample.generate(n_customers=20000, seed=3))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from journeylib import views
        print("ready", flush=True)
        for i in range(8):
            views.save_view("Shop", f"v{{i}}", "funnel", {{}}, directory={str(shop)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    while proc.poll() is None:
        save_workspace(big, "Shop", directory=shop, extras={})
    assert proc.returncode == 0
    assert len(views.list_views("Shop", directory=shop)) == 8
