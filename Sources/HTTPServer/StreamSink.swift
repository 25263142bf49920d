/// Where a streaming response's producer writes on the loop thread: straight into the
/// connection's output queue, framed for the response (HTTP/1.1 chunks, or raw bytes for an
/// HTTP/1.0 body that ends with the connection). Only valid during the pull that received it.
public struct StreamSink {
  var output: OutputQueue
  let chunked: Bool
  unowned let context: LoopContext

  /// Shared chunks up to this size are copied into the output queue, larger ones referenced.
  static let maxCopiedChunk = 4096
  private static let crlf: [UInt8] = [13, 10]

  init(chunked: Bool, context: LoopContext) {
    output = OutputQueue()
    self.chunked = chunked
    self.context = context
  }

  /// Queues a chunk shared by many streams: its framed form is built already.
  public mutating func write(_ shared: SharedChunk) {
    if !chunked {
      for part in shared.parts { output.append(part) }
    } else if shared.chunked.count <= Self.maxCopiedChunk {
      shared.chunked.withUnsafeBytes { output.appendCopy($0) }
    } else {
      output.append(shared.chunked)
    }
  }

  /// Queues one chunk made of `parts` written back to back (nothing for an empty one).
  public mutating func write(parts: [[UInt8]]) {
    let size = parts.reduce(0) { $0 + $1.count }
    guard size > 0 else { return }
    if chunked { output.append(context.chunkHeader(size)) }
    for part in parts { output.append(part) }
    if chunked { output.append(Self.crlf) }
  }

  /// Queues one chunk of `bytes` (nothing for an empty one).
  public mutating func write(_ bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    if chunked { output.append(context.chunkHeader(bytes.count)) }
    output.append(bytes)
    if chunked { output.append(Self.crlf) }
  }

  mutating func write(_ chunk: StreamChunk) {
    switch chunk.content {
    case .shared(let shared): write(shared)
    case .bytes(let bytes): write(bytes)
    case .parts(let parts): write(parts: parts)
    }
  }
}
