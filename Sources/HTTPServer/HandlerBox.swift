import HTTP1

/// The server's handler behind a class reference. Calling `handle` on an `any HTTPHandler`
/// stored in a connection copies the existential (a retain and a release through the runtime's
/// value witnesses) on every request; a strong `let` of this class is called in place.
/// Immutable, so `Sendable` like the handler it holds.
class HandlerBox: @unchecked Sendable {
  /// Wraps `handler` (opened: the box holds the concrete type).
  static func make(_ handler: some HTTPHandler) -> HandlerBox { TypedHandlerBox(handler) }

  fileprivate init() {}

  func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    fatalError("HandlerBox.handle is overridden")
  }
}

/// A `HandlerBox` holding a handler of type `H`.
private final class TypedHandlerBox<H: HTTPHandler>: HandlerBox, @unchecked Sendable {
  let handler: H

  init(_ handler: H) {
    self.handler = handler
    super.init()
  }

  override func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    handler.handle(request, context: context)
  }
}
