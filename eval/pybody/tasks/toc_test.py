from toc import table_of_contents

md = """# Tandem
Intro text with a #hashtag.
## Install
```sh
# not a heading
```
### From source ###
## Usage
"""
assert table_of_contents(md) == [
    "- [Tandem](#tandem)",
    "  - [Install](#install)",
    "    - [From source](#from-source)",
    "  - [Usage](#usage)",
]
assert table_of_contents("no headings") == []
