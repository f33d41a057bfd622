"""Do the SOP files the process would serve validate, as ``sopbot validate`` checks them?"""

from __future__ import annotations

from pathlib import Path

from bot.catalogue.registry import Catalogue
from bot.doctor.findings import Finding, fail, ok, warn
from bot.procedure.diagnostics import Severity
from bot.validation.validator import validate_paths


def check_sops(folder: Path, catalogue: Catalogue) -> Finding:
    subject = f"SOPs in {folder}"
    if not folder.is_dir():
        return fail(subject, "no such folder: set SOPBOT_SOPS_DIR to the folder of SOP files")
    report = validate_paths([folder], catalogue=catalogue)
    files = len(report.files)
    counted = f"errors: {report.error_count}, warnings: {report.warning_count}, files: {files}"
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    if errors:
        return fail(subject, f"{counted}; the first: {errors[0].render()}")
    if report.warning_count:
        return warn(subject, f"{counted}; `sopbot validate {folder}` lists them")
    if not files:
        return warn(subject, "no SOP files: nothing to run")
    return ok(subject, f"{files} files, no problems")
