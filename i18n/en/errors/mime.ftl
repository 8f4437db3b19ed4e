mime-no-headers = the message has no readable header (is it an e-mail?)
mime-parser-failed = the message could not be parsed (the parser failed on it); it is kept as received
