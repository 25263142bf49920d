// HTTP/1.1 request parser.
