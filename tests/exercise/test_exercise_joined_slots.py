"""The checker reads joined slots (`{voice+more}`): each name must be an answer, and one of them filled on every path."""

from __future__ import annotations

from pathlib import Path

from trustdialog.exercise import check_paths

HEAD = 'format = 1\n[exercise]\nid = "joined"\ntitle = "Joined"\nminutes = 5\nsummary = "s"\n'


def step(id: str, kind: str = "prompt", by: str = "speaker", text: str = "Say it.", **extra: str) -> str:
    rest = "".join(f"{k} = {v}\n" for k, v in extra.items())
    return f'[[steps]]\nid = "{id}"\nkind = "{kind}"\nby = "{by}"\ntext = "{text}"\n{rest}'


def problems(tmp_path: Path, *steps: str) -> list[str]:
    path = tmp_path / "joined.toml"
    path.write_text(HEAD + "".join(steps), encoding="utf-8")
    return [f"{d.code}: {d.message}" for d in check_paths([path]).diagnostics]


def test_the_mirror_loop_checks_clean(tmp_path):
    assert problems(
        tmp_path,
        step("voice"),
        step("mirror", by="listener", text="{speaker} said: {voice+more}"),
        step("check", kind="confirm", text="Heard?", on_no='"more"', next='"end"'),
        step("more", next='"mirror"'),
    ) == []


def test_one_name_filled_on_every_path_is_enough_but_none_is_td044(tmp_path):
    branch = step("which", kind="choose", text="Which?",
                  options='[{ label = "A", next = "a" }, { label = "B", next = "b" }]')
    ok = problems(tmp_path, branch, step("a", next='"both"'), step("b"), step("both", text="{a+b}"))
    assert ok == []  # every path fills a or b
    (line,) = problems(tmp_path, branch, step("a", next='"both"'), step("b", next='"both"'),
                       step("both", text="{a+c}"), step("c"))
    assert line.startswith("TD044: '{a+c}' is not filled yet on every path to step 'both'")
    assert "none of its answers" in line and "'a', 'c'" in line


def test_each_name_is_checked_on_its_own(tmp_path):
    found = problems(tmp_path, step("voice"), step("hello", kind="say", text="Hi."),
                     step("quote", kind="say", text="{voice+vioce} {voice+hello} {listener+voice}"))
    assert found == [
        "TD049: '{voice+vioce}': 'vioce' names no role, field, prompt or choose step (did you mean 'voice'?)",
        "TD051: '{voice+hello}': 'hello' quotes a say step, which has no answer of its own",
        "TD052: '{listener+voice}': 'listener' is a role; '+' joins answers, and a role is a name: write "
        "{listener} on its own",
    ]


def test_a_joined_slot_with_a_role_after_it_and_a_private_step(tmp_path):
    assert problems(tmp_path, step("voice"), step("more"),
                    step("quote", kind="say", text="{voice+more@speaker}")) == []
    (line,) = problems(tmp_path, step("voice", private="true"), step("more", private="true"),
                       step("quote", kind="say", text="{voice+more}"))
    assert line.startswith("TD050")


def test_a_list_item_takes_no_joined_slot(tmp_path):
    (line,) = problems(tmp_path, step("promises", **{"fields.p": '{ kind = "list", item = "I will {what+when}" }'}))
    assert line.startswith("TD052: '{what+when}' in a list's item")
