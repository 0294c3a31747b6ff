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
