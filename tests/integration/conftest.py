from . import browser

SCREENSHOTS: list = []


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(SCREENSHOTS)} screenshots in {SCREENSHOTS[0].parent}")
        for path in SCREENSHOTS:
            terminalreporter.write_line(f"  {path}")


__all__ = ["SCREENSHOTS", "browser"]
