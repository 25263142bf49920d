import JSON

/// What a `WatchStream` tells its handler: the complete current state after a LIST (initial or
/// after 410 Gone), then changes one by one.
public enum WatchUpdate {
  /// Every object that exists now (replaces whatever the handler knew).
  case synced([JSONValue])
  case event(WatchEvent)
}

/// A reflector: LIST, then WATCH from the list's resourceVersion over a dedicated connection,
/// resuming from the last resourceVersion seen whenever the stream ends (server timeout, close,
/// error) and relisting when the server answers 410 Gone. Runs on one loop; the handler is
/// called on that loop's thread.
///
/// Invariant: at most one LIST or WATCH is in flight; after `stop()` the handler is not called.
public final class WatchStream: StreamReceiver {
  public let collection: String
  public let selectors: [String]
  private let client: KubeClient
  private let loop: ClientLoop
  private let handler: (WatchUpdate) -> Void
  private var cursor = WatchCursor()
  private var decoder = WatchDecoder()
  private var connection: ClientConnection?
  private var streamStatus = 0
  private var eventsInStream = 0
  private var stopped = false
  /// Bumped on every attempt so a late callback of an abandoned attempt is ignored.
  private var attempt = 0
  /// Watches opened so far (the first included); for tests and statistics.
  public private(set) var watchesOpened = 0
  public private(set) var listsDone = 0

  /// - Parameters:
  ///   - collection: the collection path, e.g. `/apis/work.open-cluster-management.io/v1/namespaces/x/manifestworks`.
  ///   - selectors: encoded query pairs such as `fieldSelector=metadata.name%3Dwec1`.
  public init(
    client: KubeClient, loop: ClientLoop, collection: String, selectors: [String] = [],
    handler: @escaping (WatchUpdate) -> Void
  ) {
    self.client = client
    self.loop = loop
    self.collection = collection
    self.selectors = selectors
    self.handler = handler
  }

  /// Starts listing and watching (loop thread only).
  public func start() { step() }

  /// Stops for good (loop thread only).
  public func stop() {
    stopped = true
    attempt += 1
    connection?.close(failing: nil)
    connection = nil
  }

  private func step() {
    guard !stopped else { return }
    attempt += 1
    let current = attempt
    switch cursor.next {
    case .list:
      let path = WatchCursor.listPath(collection, selectors: selectors)
      client.send(ClientRequest("GET", path), on: loop) { [weak self] result in
        guard let self, !self.stopped, self.attempt == current else { return }
        self.listed(result)
      }
    case .watch(let rv):
      let path = WatchCursor.watchPath(
        collection, selectors: selectors, resourceVersion: rv,
        timeoutSeconds: 300 + Int.random(in: 0..<300))
      decoder = WatchDecoder()
      streamStatus = 0
      eventsInStream = 0
      watchesOpened += 1
      connection = client.openStream(ClientRequest("GET", path), receiver: self, on: loop)
    }
  }

  private func listed(_ result: ClientResult) {
    guard case .success(let response) = result, response.status == 200,
      let list = try? JSONParser.parse(response.body),
      let rv = list["metadata"]?["resourceVersion"]?.stringValue
    else {
      cursor.failed()
      retryLater()
      return
    }
    listsDone += 1
    cursor.listed(at: rv)
    handler(.synced(list["items"]?.arrayValue ?? []))
    step()
  }

  private func retryLater() {
    let delay = cursor.backoffNanos
    let current = attempt
    if delay == 0 {
      step()
      return
    }
    loop.schedule(afterNanos: delay) { [weak self] in
      guard let self, !self.stopped, self.attempt == current else { return }
      self.step()
    }
  }

  func streamHead(status: Int, headers: [(name: String, value: String)]) {
    streamStatus = status
  }

  func streamBody(_ bytes: UnsafeRawBufferPointer) {
    guard !stopped, streamStatus == 200 else { return }
    let events: [WatchEvent]
    do {
      events = try decoder.feed(bytes)
    } catch {
      cursor.failed()
      abandonStream()
      return
    }
    for event in events {
      if stopped { return }
      eventsInStream += 1
      if !cursor.observe(event) {
        abandonStream()  // 410: relist
        return
      }
      switch event.kind {
      case .bookmark: continue
      case .error:
        abandonStream()
        return
      default: handler(.event(event))
      }
    }
  }

  func streamEnded(_ error: ClientError?) {
    guard !stopped, connection != nil else { return }
    connection = nil
    if error != nil {
      cursor.failed()
    } else if streamStatus != 200 {
      cursor.watchRejected(status: streamStatus)
    } else if eventsInStream == 0 {
      cursor.failed()  // an empty stream that ended at once: do not spin
    }
    retryLater()
  }

  /// Drops the current stream and goes on with the cursor's next step.
  private func abandonStream() {
    let c = connection
    connection = nil
    c?.close(failing: nil)
    retryLater()
  }
}
