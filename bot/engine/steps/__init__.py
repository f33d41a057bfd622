"""One handler per step kind; ``run_step`` picks it and applies the step's ``when`` guard."""
