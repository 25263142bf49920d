// Shortcuts for the header fields content negotiation reads on every request.

extension HTTPRequestHead {
  /// The first `Content-Type` value, if any (media type with parameters, as sent).
  public var contentType: String? { headers["content-type"] }

  /// The first `Accept` value, if any (as sent; several fields are not merged).
  public var accept: String? { headers["accept"] }
}
