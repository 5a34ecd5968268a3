from pathlib import Path

import pytest

from bot.config import ConfigError, load, parse

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_config_loads_and_documents_the_defaults():
    config = load(ROOT / "config.example.toml", environ={})
    defaults = parse({}, environ={})
    assert config.policy == defaults.policy
    assert config.sending == defaults.sending
    assert config.smtp.security == "starttls" and config.smtp.port == 587
    assert config.database_path == (ROOT / "arbot.db").resolve()


def test_every_key_of_the_code_appears_in_the_example():
    text = (ROOT / "config.example.toml").read_text()
    for key in ("[database]", "path", "from_address", "reply_to", "[smtp]", "host", "port",
                "security", "username", "password_env", "messages_per_minute",
                "recipients_per_day", "send_window_start", "business_days", "min_interval_days",
                "max_per_week", "[[policy.tiers]]", "offset_days", "approval", "action"):
        assert key in text, key


@pytest.mark.parametrize("data, message", [
    ({"smtp": {"security": "ssl"}}, "smtp.security = 'ssl'"),
    ({"smtp": {"port": "587"}}, "smtp.port = '587': expected a int"),
    ({"mail": {"from_address": "not an address"}}, "mail.from_address = 'not an address'"),
    ({"clients": {"timezone": "Mars/Olympus"}}, "clients.timezone = 'Mars/Olympus'"),
    ({"policy": {"send_window_start": "25:00"}}, "policy.send_window_start = '25:00'"),
    ({"sending": {"mesages_per_minute": 3}}, "unknown key sending.mesages_per_minute"),
    ({"policy": {"tiers": [{"name": "a", "offset_days": 5}, {"name": "b", "offset_days": 1}]}},
     "offset_days must rise"),
    ({"policy": {"tiers": [{"name": "a", "action": "sue"}]}}, "policy.tiers[0].action = 'sue'"),
    ({"smtp": {"username": "bot"}}, "smtp.password_env is not"),
    ({"smtp": {"username": "bot", "password_env": "NOPE_NOT_SET"}},
     "the environment variable NOPE_NOT_SET is not set"),
])
def test_a_bad_value_names_the_key_and_the_value(data, message):
    with pytest.raises(ConfigError) as e:
        parse(data, environ={})
    assert message in str(e.value)


def test_secrets_come_from_the_environment_or_a_file(tmp_path):
    smtp = {"username": "bot", "password_env": "ARBOT_SMTP_PASSWORD"}
    assert parse({"smtp": smtp}, environ={"ARBOT_SMTP_PASSWORD": "s3cret"}).smtp.password == "s3cret"
    (tmp_path / "pw").write_text("from-file\n")
    env = {"ARBOT_SMTP_PASSWORD_FILE": str(tmp_path / "pw")}
    config = parse({"smtp": smtp}, environ=env)
    assert config.smtp.password == "from-file"
    assert "from-file" not in repr(config)


def test_a_broken_file_is_reported_with_its_path(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[smtp\nhost = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad)


def test_the_classifier_endpoint_is_off_by_default_and_every_key_is_documented():
    assert not parse({}, environ={}).classifier.enabled
    assert not load(ROOT / "config.example.toml", environ={}).classifier.enabled
    text = (ROOT / "config.example.toml").read_text()
    for key in ("[classifier]", "endpoint =", "model =", "api_key_env =", "timeout_seconds =",
                "max_chars ="):
        assert key in text, key


@pytest.mark.parametrize("data, message", [
    ({"endpoint": "ftp://llm.example.com/v1", "model": "m"}, "classifier.endpoint = 'ftp://llm.example.com/v1'"),
    ({"endpoint": "http://127.0.0.1:8080/v1"}, "classifier.model is needed"),
    ({"endpoint": "http://127.0.0.1:8080/v1?key=1", "model": "m"}, "without a query"),
    ({"endpoint": "http://127.0.0.1:8080/v1", "model": "m", "api_key_env": "NOPE_NOT_SET"},
     "classifier.api_key_env = 'NOPE_NOT_SET': the environment variable NOPE_NOT_SET is not set"),
    ({"api_key_env": "sk-live key"}, "classifier.api_key_env = 'sk-live key': expected the NAME"),
    ({"timeout_seconds": 0}, "classifier.timeout_seconds = 0.0"),
    ({"max_chars": 10}, "classifier.max_chars = 10: must be at least 100"),
    ({"modle": "m"}, "unknown key classifier.modle"),
])
def test_a_bad_classifier_value_names_the_key(data, message):
    with pytest.raises(ConfigError) as e:
        parse({"classifier": data}, environ={})
    assert message in str(e.value)


def test_a_password_in_the_classifier_url_is_refused_without_being_repeated():
    with pytest.raises(ConfigError) as e:
        parse({"classifier": {"endpoint": "https://bot:hunter2@llm.example.com/v1", "model": "m"}},
              environ={})
    assert "classifier.endpoint" in str(e.value) and "hunter2" not in str(e.value)


def test_the_classifier_key_comes_from_the_environment_and_stays_out_of_repr(tmp_path):
    section = {"endpoint": "https://llm.example.com/v1", "model": "m", "api_key_env": "ARBOT_LLM_KEY"}
    config = parse({"classifier": section}, environ={"ARBOT_LLM_KEY": "sk-very-secret"})
    assert config.classifier.api_key == "sk-very-secret"
    assert "sk-very-secret" not in repr(config)
    # a command that loads without secrets reads just this one when it asks the endpoint
    from bot.config import classifier_key
    bare = parse({"classifier": section}, environ={}, need_secrets=False)
    assert bare.classifier.api_key == ""
    (tmp_path / "key").write_text("sk-from-file\n")
    assert classifier_key(bare, environ={"ARBOT_LLM_KEY_FILE": str(tmp_path / "key")}).classifier.api_key \
        == "sk-from-file"
