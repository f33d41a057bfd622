"""Scenario tests for SOPs: ``sops/NAME.test.yml`` files that drive the real engine on the
sandbox tools with a clock that moves only when told, and check what the procedure did."""
