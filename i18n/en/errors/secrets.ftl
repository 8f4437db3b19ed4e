secrets-missing = no { $what } saved for { $account }: save it with `caducee account password { $account }`, or for headless use set { $env }
secrets-keyring = the OS keyring is not available ({ $reason }); for headless use, set the environment variable instead
