store-key-bad-hex = { $env } must be 64 hexadecimal digits (a 256-bit key)
store-key-no-keyring = the OS keyring is not available ({ $reason }). Unlock your session keyring, or for headless use set { $env } to a 64-digit hex key
store-key-missing = a store exists at { $path } but its key is not in the OS keyring. Restore the keyring entry or provide the key through { $env }; the store was left untouched
