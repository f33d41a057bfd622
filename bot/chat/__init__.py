"""How the engine talks to people: one small port, with a Slack and a console adapter."""
