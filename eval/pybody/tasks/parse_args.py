"""Argument parsing for the deploy script (no argparse: it must run on a stripped-down image)."""


def parse_args(argv: list[str]) -> tuple[dict[str, str | bool], list[str]]:
    """Split argv into options and positionals. "--name=value" and "--name value" give
    strings; a "--flag" followed by another option or by nothing gives True; "--" ends
    the options (everything after it is positional)."""
    options: dict[str, str | bool] = {}
    positionals: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            positionals.extend(argv[i + 1:])
            break
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            # <<<
            if eq:
                options[name] = value
            elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                options[name] = argv[i + 1]
                i += 1
            # >>>
            else:
                options[name] = True
        else:
            positionals.append(arg)
        i += 1
    return options, positionals
