"""The README's commands are the ones CI runs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash\n")[1:]]
    assert blocks[0].endswith("duban run")
    assert blocks[1] in ci.splitlines()


def test_config_example_loads_and_documents_every_key():
    import tomllib

    from bot.config import Settings, load_settings

    path = ROOT / "config.example.toml"
    settings = load_settings(path)
    assert settings == Settings()  # the example shows the defaults
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for section, field in Settings.model_fields.items():
        assert f"[{section}" in text, section
        model = field.annotation
        if hasattr(model, "model_fields"):
            for key in model.model_fields:
                assert key in data.get(section, {}) or f"# {key}" in text or f"{key} =" in text, (section, key)


def test_try_it_commands_run_as_written_on_a_fresh_clone(tmp_path):
    """A newcomer who did not activate the virtualenv types the README's console line as it stands."""
    import re
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    try_it = re.sub(r"```.*?```", "", readme.split("## Commands", 1)[0], flags=re.S)  # the prose, not the blocks
    spans = [s for s in re.findall(r"`([^`]+)`", try_it) if re.match(r"(\S*/)?duban ", s)]
    assert spans and all(s.startswith(".venv/bin/duban ") for s in spans), spans
    commands = readme.split("## Commands", 1)[1].strip().split("\n\n", 1)[0]
    assert ".venv/bin/duban" in commands and "source .venv/bin/activate" in commands
    console = next(s for s in spans if " console" in s)
    exe = Path(sys.executable).parent / "duban"  # this checkout's .venv/bin/duban
    args = [str(exe), *console.split()[1:]]
    done = subprocess.run(args, input="quit\n", capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "督办控制台" in done.stdout and (tmp_path / "duban.db").exists()
