import Testing

@testable import HTTP1

/// A comparable summary of a parser event, so feeding modes can be compared with `==`.
struct EventSummary: Equatable, CustomStringConvertible {
  var kind: String
  var method: String
  var target: String
  var path: String
  var rawQuery: String
  var query: [String]
  var version: HTTPVersion
  var headers: [String]
  var keepAlive: Bool
  var expectsContinue: Bool
  var body: [UInt8]

  init(_ event: RequestParserEvent) {
    let head: HTTPRequestHead
    switch event {
    case .continueExpected(let h):
      kind = "continue"
      head = h
      body = []
    case .request(let r):
      kind = "request"
      head = r.head
      body = r.body
    }
    method = head.method
    target = head.target
    path = head.path
    rawQuery = head.rawQuery
    query = head.query.map { "\($0.name)=\($0.value)" }
    version = head.version
    headers = head.headers.map { "\($0.name): \($0.value)" }
    keepAlive = head.keepAlive
    expectsContinue = head.expectsContinue
  }

  var description: String {
    "\(kind) \(method) \(target) path=\(path) q=\(query) h=\(headers) body=\(body.count)B"
  }
}

/// The result of feeding a whole input: the events, then the error or the leftover byte count.
struct FeedOutcome: Equatable {
  var events: [EventSummary]
  var error: HTTPParseError?
  var buffered: Int
}

/// Feeds `pieces` one after the other, draining `next()` after each piece.
func feed(_ pieces: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> FeedOutcome {
  var parser = RequestParser(limits: limits)
  var events: [EventSummary] = []
  for piece in pieces {
    parser.append(piece)
    do {
      while let event = try parser.next() { events.append(EventSummary(event)) }
    } catch {
      return FeedOutcome(events: events, error: error, buffered: parser.bufferedByteCount)
    }
  }
  return FeedOutcome(events: events, error: nil, buffered: parser.bufferedByteCount)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Only complete requests (continue events depend on how the bytes were split).
func requests(_ outcome: FeedOutcome) -> [EventSummary] {
  outcome.events.filter { $0.kind == "request" }
}

/// Parses `input` whole, byte by byte and split at every offset; all modes must agree on the
/// requests and the final error. Returns the whole-input outcome.
func parseAllWays(
  _ input: [UInt8], limits: HTTPParserLimits = HTTPParserLimits(),
  sourceLocation: SourceLocation = #_sourceLocation
) -> FeedOutcome {
  let whole = feed([input], limits: limits)
  let dripped = feed(input.map { [$0] }, limits: limits)
  #expect(requests(dripped) == requests(whole), "byte by byte", sourceLocation: sourceLocation)
  #expect(dripped.error == whole.error, "byte by byte", sourceLocation: sourceLocation)
  for cut in 0...input.count {
    let split = feed([Array(input[..<cut]), Array(input[cut...])], limits: limits)
    #expect(
      requests(split) == requests(whole), "split at \(cut)", sourceLocation: sourceLocation)
    #expect(split.error == whole.error, "split at \(cut)", sourceLocation: sourceLocation)
    if requests(split) != requests(whole) || split.error != whole.error { break }
  }
  return whole
}
