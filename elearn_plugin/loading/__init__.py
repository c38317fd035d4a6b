"""Loading an organisation's data (units, people, courses, history) from one YAML/JSON file.

`format` reads and checks the file and reports every bad record by its position, running the
section table of `sections` (declared with `fields`, read through `reader`, into `records`);
`writer` writes everything through the domains' bulk services in one transaction; `history`
checks the people's hire and leaving dates and transfers against the dated records and hands
them to the org domain's history writer. The format is documented in docs/data-format.md.
"""
