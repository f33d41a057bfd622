"""Compile a procedure written in plain language into an SOP file: a model writes the YAML,
the validator checks it, its findings go back for a bounded number of repair rounds, and a
step no operation can do becomes a task for a person. The result is a draft that nothing
serves until a person accepts it."""
