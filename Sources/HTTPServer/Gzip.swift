import CZlib

/// gzip encoding of response bodies through the system zlib.
enum Gzip {
  /// kube-apiserver compresses responses of at least 128 KiB (its `defaultGzipThresholdBytes`).
  static let thresholdBytes = 128 * 1024
  /// kube-apiserver's `defaultGzipContentEncodingLevel`: fast, most of the gain.
  static let level: Int32 = 1

  /// Compresses `input` as a gzip member; nil if zlib fails (the caller then sends it plain).
  static func compress(_ input: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard its_deflateInit2_gzip(&stream, level) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound)
    let result: Int32 = input.withUnsafeBytes { inRaw in
      output.withUnsafeMutableBytes { outRaw in
        stream.next_in = UnsafeMutablePointer(
          mutating: inRaw.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(inRaw.count)
        stream.next_out = outRaw.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(outRaw.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard result == Z_STREAM_END else { return nil }
    output.removeLast(output.count - Int(stream.total_out))
    return output
  }

  /// Decompresses a gzip member (tests and the benchmark client use it).
  static func decompress(_ input: [UInt8], limit: Int = 64 << 20) -> [UInt8]? {
    var stream = z_stream()
    guard its_inflateInit2_gzip(&stream) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    return input.withUnsafeBytes { inRaw -> [UInt8]? in
      stream.next_in = UnsafeMutablePointer(
        mutating: inRaw.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(inRaw.count)
      while true {
        let (rc, produced) = chunk.withUnsafeMutableBytes { outRaw -> (Int32, Int) in
          stream.next_out = outRaw.baseAddress?.assumingMemoryBound(to: Bytef.self)
          stream.avail_out = uInt(outRaw.count)
          let rc = inflate(&stream, Z_NO_FLUSH)
          return (rc, outRaw.count - Int(stream.avail_out))
        }
        output.append(contentsOf: chunk[0..<produced])
        if output.count > limit { return nil }
        if rc == Z_STREAM_END { return output }
        if rc != Z_OK { return nil }
      }
    }
  }

  /// Whether an `Accept-Encoding` value allows gzip (a `gzip` token whose q is not 0).
  static func accepted(by acceptEncoding: String?) -> Bool {
    guard let acceptEncoding else { return false }
    for item in acceptEncoding.split(separator: ",") {
      let parts = item.split(separator: ";")
      guard let name = parts.first?.trimmingSpaces(), name.lowercased() == "gzip" else { continue }
      for param in parts.dropFirst() {
        let p = param.trimmingSpaces()
        if p.hasPrefix("q="), let q = Double(p.dropFirst(2)), q == 0 { return false }
      }
      return true
    }
    return false
  }
}

extension Substring {
  func trimmingSpaces() -> Substring {
    var s = self
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return s
  }
}
