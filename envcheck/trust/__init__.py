"""The office's TUF root metadata for rules updates lives here as root.json in an office's build.

This reference build ships none: an office runs `envcheck-server rules init`, copies the
repository's metadata/1.root.json to envcheck/trust/root.json (or names it as `rules_root`
in envcheck-config.json beside the executable) and builds (docs/rules-updates.md).
"""
