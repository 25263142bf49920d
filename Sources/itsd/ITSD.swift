import ArgumentParser

/// `itsd`: the its-server daemon. Wiring only: parse settings, build the parts, run.
@main
struct ITSD: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "itsd",
    abstract: "A KubeStellar Inventory and Transport Space (ITS) in one binary.",
    subcommands: [Serve.self, Simulate.self, Accept.self, Version.self])
}
