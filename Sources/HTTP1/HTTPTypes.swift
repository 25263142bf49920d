/// The HTTP protocol version of a request. Only HTTP/1.0 and HTTP/1.1 are served.
public enum HTTPVersion: Sendable, Equatable {
  case http1_0
  case http1_1
}

/// Header fields in the order received. Names keep their original spelling; lookups ignore
/// ASCII case. Invariant: names are valid tokens and values hold no CR, LF or NUL (the parser
/// rejects anything else before a value of this type exists). Values may hold obs-text: valid
/// UTF-8 is kept as sent, other bytes 0x80-0xFF become U+FFFD (a String is Unicode).
public struct HTTPHeaders: Sendable, Sequence {
  /// One field. A struct, not a tuple: an array of them is destroyed by compiled code rather
  /// than by the runtime's generic walk over tuple metadata (once per request).
  struct Field: Sendable {
    var name: String
    var value: String
  }

  private var storage: [Field]

  /// The fields as (name, value) pairs, in order.
  public var fields: [(name: String, value: String)] { storage.map { ($0.name, $0.value) } }

  public init() { storage = [] }
  public init(_ fields: [(String, String)]) {
    storage = fields.map { Field(name: $0.0, value: $0.1) }
  }

  /// An empty list with room for `capacity` fields (the parser knows the count up front).
  init(reservingCapacity capacity: Int) {
    storage = []
    storage.reserveCapacity(capacity)
  }

  public var count: Int { storage.count }

  public mutating func add(_ name: String, _ value: String) {
    storage.append(Field(name: name, value: value))
  }

  /// The first value of `name` (ASCII case-insensitive), if any.
  public subscript(name: String) -> String? {
    // Fields are read in place (no copy of each pair); names of another length never match.
    let length = name.utf8.count
    for i in storage.indices
    where storage[i].name.utf8.count == length && asciiCaseInsensitiveEquals(storage[i].name, name)
    {
      return storage[i].value
    }
    return nil
  }

  /// Every value of `name`, in order.
  public func values(_ name: String) -> [String] {
    storage.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
  }

  /// Yields the fields as (name, value) pairs, in order.
  public struct Iterator: IteratorProtocol {
    var base: IndexingIterator<[Field]>

    public mutating func next() -> (name: String, value: String)? {
      base.next().map { ($0.name, $0.value) }
    }
  }

  public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }
}

/// Compares two strings byte by byte, folding ASCII letters only (header names are ASCII).
@inlinable
public func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
  // Different lengths never match (the UTF-8 count of a native string is known).
  guard a.utf8.count == b.utf8.count else { return false }
  var a = a
  var b = b
  return a.withUTF8 { x in
    b.withUTF8 { y in
      guard x.count == y.count else { return false }
      for i in 0..<x.count {
        let p = x[i]
        let q = y[i]
        if p == q { continue }
        let lp = (p >= 65 && p <= 90) ? p | 0x20 : p
        let lq = (q >= 65 && q <= 90) ? q | 0x20 : q
        if lp != lq { return false }
      }
      return true
    }
  }
}

/// A parsed request head. `path` and `query` are percent-decoded exactly once by the parser;
/// `target` and `rawQuery` keep the bytes as sent.
public struct HTTPRequestHead: Sendable {
  public var method: String
  /// The request-target as sent (origin-form or absolute-form).
  public var target: String
  /// The percent-decoded path, always starting with "/" (absolute-form targets are reduced to it),
  /// except "*" for an asterisk-form `OPTIONS *` request. Never contains NUL.
  public var path: String
  /// The query as sent, without the leading "?" (empty when there is none).
  public var rawQuery: String
  /// Decoded query parameters in order (`+` means space, as in HTML forms and Go's url.ParseQuery).
  public var query: [(name: String, value: String)]
  public var version: HTTPVersion
  public var headers: HTTPHeaders
  /// Whether the connection stays open after this exchange (HTTP/1.1 unless `Connection: close`;
  /// HTTP/1.0 only with `Connection: keep-alive`).
  public var keepAlive: Bool
  /// The client sent `Expect: 100-continue` on an HTTP/1.1 request (ignored for HTTP/1.0, as
  /// RFC 9110 §10.1.1 requires).
  public var expectsContinue: Bool

  public init(
    method: String, target: String, path: String, rawQuery: String,
    query: [(name: String, value: String)], version: HTTPVersion, headers: HTTPHeaders,
    keepAlive: Bool, expectsContinue: Bool
  ) {
    self.method = method
    self.target = target
    self.path = path
    self.rawQuery = rawQuery
    self.query = query
    self.version = version
    self.headers = headers
    self.keepAlive = keepAlive
    self.expectsContinue = expectsContinue
  }

  /// The first decoded value of query parameter `name`.
  public func queryValue(_ name: String) -> String? {
    for q in query where q.name == name { return q.value }
    return nil
  }
}

/// A complete request: head plus the whole body (already de-chunked; empty when none).
public struct HTTPRequest: Sendable {
  public var head: HTTPRequestHead
  public var body: [UInt8]

  public init(head: HTTPRequestHead, body: [UInt8]) {
    self.head = head
    self.body = body
  }
}

/// Why a request could not be parsed, with the status the server answers before closing.
public struct HTTPParseError: Error, Sendable, Equatable {
  /// 400 bad framing or syntax, 413 body too large, 431 head too large, 501 unsupported
  /// transfer coding, 505 unsupported version.
  public var status: Int
  /// A short human-readable explanation (sent in the error body).
  public var message: String

  public init(status: Int, message: String) {
    self.status = status
    self.message = message
  }
}

/// Limits the parser enforces. Every one of them is configurable from `itsd serve`.
public struct HTTPParserLimits: Sendable {
  /// Request line plus headers (431 past it).
  public var maxHeadBytes: Int
  /// Decoded body size (413 past it): kube-apiserver's 3 MiB.
  public var maxBodyBytes: Int
  /// Number of header fields (431 past it).
  public var maxHeaderCount: Int

  public init(maxHeadBytes: Int = 1 << 20, maxBodyBytes: Int = 3 << 20, maxHeaderCount: Int = 1000)
  {
    self.maxHeadBytes = maxHeadBytes
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderCount = maxHeaderCount
  }
}

/// What the parser has to say after being fed bytes.
public enum RequestParserEvent: Sendable {
  /// The head of a request with `Expect: 100-continue` is complete and its body has not fully
  /// arrived: the server should write `HTTP/1.1 100 Continue` now (emitted at most once per request).
  case continueExpected(HTTPRequestHead)
  /// A complete request.
  case request(HTTPRequest)
}

/// Where the parser stands, so the connection can pick the right timeout.
public enum RequestParserPhase: Sendable, Equatable {
  /// Between requests with no bytes of the next one buffered (keep-alive idle).
  case idle
  /// Some bytes of a request head have arrived (slowloris timeout applies).
  case head
  /// The head is complete; the body is still arriving (body-stall timeout applies).
  case body
}
