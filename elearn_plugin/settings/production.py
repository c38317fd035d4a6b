"""Production settings: values an operator sets in the environment's YAML / Tutor config."""


def plugin_settings(settings) -> None:
    """Read operator overrides from ENV_TOKENS when the host provides them."""
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name, value in env_tokens.items():
        if name.startswith("ELEARN_"):
            setattr(settings, name, value)
