import ArgumentParser

/// `its-bench`: benchmark scenarios. Each scenario is a subcommand in its own file; to add one
/// (e.g. `http`), write a `ParsableCommand` and list it in `subcommands` below.
@main
struct ITSBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "its-bench",
    abstract: "Benchmarks for its-server (in-process store scenarios; HTTP scenarios later).",
    subcommands: [
      StoreCommit.self, StoreFanout.self, StoreMemory.self, HTTPGet.self, HTTPCreate.self,
      HTTPList.self, HTTPWatch.self, HTTPRSS.self, HTTPSWatch.self, Fleet.self,
    ])
}
