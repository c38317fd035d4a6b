"""Reading text files that people write: YAML that refuses duplicate keys and keeps the line
of every key (`yaml_lines`), and the value checks shared by the file readers (`validators`).

Pure package (no Django): the policy loader, which must stay free of Django, and the data
file format both use it. Messages are the callers' own; nothing here words a problem.
"""
