import APIMachinery
import Dispatch
import HTTP1
import HTTPServer
import JSON
import Store

/// Watch requests: validates the options (k8s-api.md B.1/B.3), starts a store watcher and
/// bridges it to a chunked response. Frames are pulled by the connection's loop when the
/// watcher signals them; each frame's framed chunk is built once and shared by every watcher.
struct WatchHandler {
  let registry: Registry
  let limits: APILimits

  func watch(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String?, output: Negotiation.Output
  )
    throws(APIError) -> HTTPResponse
  {
    let head = request.head
    let (labels, fields) = try Query.selectors(head, r)
    let start = try Self.start(head)
    let bookmarks = head.queryValue("allowWatchBookmarks") == "true"
    let sendInitialEvents = head.queryValue("sendInitialEvents") == "true"
    var requestedTimeout =
      limits.minWatchTimeoutSeconds + Int.random(in: 0...limits.minWatchTimeoutSeconds)
    if let t = head.queryValue("timeoutSeconds"), !t.isEmpty {
      guard let n = Int(t), n >= 0 else {
        throw APIError.badRequest("invalid timeoutSeconds: \(t)")
      }
      if n > 0 { requestedTimeout = n }
    }
    let timeout = requestedTimeout
    let options = WatchOptions(
      kind: r.kind, apiVersion: r.apiVersion, bookmarks: bookmarks,
      sendInitialEventsEndBookmark: sendInitialEvents && bookmarks)
    let watcher = registry.watch(
      r, namespace: namespace, labels: labels, fields: fields, from: start, options: options)
    let asTable = output == .table
    return HTTPResponse(
      status: 200,
      headers: [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")],
      body: .stream { stream in
        stream.setSinkHandler { sink in
          let termination = watcher.drain { frame in
            if asTable, let object = frame.object {
              sink.write(
                TableConverter.watchEvent(r, type: frame.type.rawValue, object: object.object))
            } else {
              // Built once per frame and shared by every watcher that receives it.
              frame.withEncoded({ f in SharedChunk(parts: [f.prefix, f.body, WatchFrame.suffix]) })
              { chunk in sink.write(chunk) }
            }
          }
          return termination != nil
        }
        let deadline = DispatchSource.makeTimerSource(queue: .global())
        deadline.schedule(deadline: .now() + .seconds(timeout))
        deadline.setEventHandler { stream.finish() }
        let timer = TimerBox(deadline)
        // kube-apiserver sends watchers that allow bookmarks one 2 s before their deadline, so
        // a client resumes from a fresh resourceVersion (cacher `nextBookmarkTime`).
        var preDeadline: TimerBox?
        if bookmarks && timeout > 2 {
          let source = DispatchSource.makeTimerSource(queue: .global())
          source.schedule(deadline: .now() + .seconds(timeout - 2))
          source.setEventHandler { watcher.sendBookmark() }
          source.resume()
          preDeadline = TimerBox(source)
        }
        let bookmarkTimer = preDeadline
        stream.onEnd { _ in
          timer.cancel()
          bookmarkTimer?.cancel()
          watcher.cancel()
        }
        watcher.setOnReady { stream.wakeUp() }
        // The initial state or the replay may already be pending: pull once rather than rely on
        // the ready notification alone (an empty pull costs nothing).
        stream.wakeUp()
        deadline.resume()
      })
  }

  /// Where the watch starts, per the watch table of k8s-api.md B.1 and the WatchList rules.
  static func start(_ head: HTTPRequestHead) throws(APIError) -> WatchStart {
    let rv = head.queryValue("resourceVersion") ?? ""
    let match = head.queryValue("resourceVersionMatch") ?? ""
    let sendInitial = head.queryValue("sendInitialEvents")
    if head.queryValue("continue").map({ !$0.isEmpty }) == true {
      throw APIError.badRequest("continue is not supported for watch")
    }
    // apimachinery's `validateWatchOptions` (with the WatchList feature enabled).
    var causes: [APIError.Cause] = []
    if sendInitial != nil && match != "NotOlderThan" {
      causes.append(
        .forbidden(
          "resourceVersionMatch",
          "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
    }
    if !match.isEmpty {
      if sendInitial == nil {
        causes.append(
          .forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
      }
      if match != "NotOlderThan" {
        causes.append(.notSupported("resourceVersionMatch", match, ["NotOlderThan"]))
      }
    }
    if !causes.isEmpty { throw APIError.invalidListOptions(causes) }
    if let sendInitial {
      if sendInitial == "true" {
        if !rv.isEmpty && rv != "0" {
          _ = try Query.revision(rv)
        }
        return .initialState
      }
      if rv.isEmpty || rv == "0" { return .now }
      return .after(try Query.revision(rv))
    }
    if rv.isEmpty || rv == "0" { return .initialState }
    return .after(try Query.revision(rv))
  }
}

/// Lets a Dispatch timer be cancelled from a `@Sendable` closure (DispatchSource is thread-safe).
final class TimerBox: @unchecked Sendable {
  private let source: any DispatchSourceTimer
  init(_ source: any DispatchSourceTimer) { self.source = source }
  func cancel() { source.cancel() }
}
