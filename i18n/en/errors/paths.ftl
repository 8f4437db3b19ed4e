paths-no-home = no home directory could be found for this user; choose a data directory with --data-dir or { $env }
paths-create = cannot create the data directory { $path }: { $reason }
