import ArgumentParser
import Catalog
import Foundation
import Probe

/// An error the CLI reports as one line with its exit code (CONVENTIONS: 1 usage, 2 input, 3 environment).
struct CLIError: LocalizedError {
    var message: String
    var code: Int32
    var errorDescription: String? { message }
}

struct SpecFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specfit",
        abstract: "Will this model — and this draft/target pair — run on my machine, and how fast?",
        version: "0.1.0",
        subcommands: [ProbeCommand.self, FitCommand.self, BenchCommand.self, InspectCommand.self, PairCheckCommand.self, CompareCommand.self, RecommendCommand.self, ReportCommand.self, AccuracyCommand.self, ChooseGPUCommand.self, CostCommand.self, DoctorCommand.self, GenerateCommand.self, LogitsCommand.self, PerplexityCommand.self, CatalogCommand.self, ServeCommand.self]
    )
}

@main
enum Main {
    static func main() {
        do {
            // Without /proc (a chroot), Swift's CommandLine.arguments comes back empty; read argv from the process itself.
            let arguments = CommandLine.arguments.isEmpty ? Array(ProcessArguments.commandLine().dropFirst()) : nil
            var command = try SpecFit.parseAsRoot(arguments)
            try command.run()
        } catch let e as CatalogError {
            fail(e.localizedDescription, e.exitCode)
        } catch let e as CLIError {
            fail(e.message, e.code)
        } catch let e as ExitCode where e != .success && e != .validationFailure {
            // A command that has already said what happened (an interrupted generation: 130).
            exit(e.rawValue)
        } catch {
            let code = SpecFit.exitCode(for: error)
            if code == .success { SpecFit.exit(withError: error) } // --help, --version
            let text = SpecFit.fullMessage(for: error)
            // A command that already printed its report and only sets the status (`catalog validate`).
            if text.isEmpty { exit(code.rawValue == 64 ? 1 : code.rawValue) }
            // swift-argument-parser's usage errors exit 64; SpecFit's convention is 1.
            fail(text, code.rawValue == 64 ? 1 : code.rawValue)
        }
    }

    static func fail(_ message: String, _ code: Int32) -> Never {
        FileHandle.standardError.write(Data(("specfit: " + message + "\n").utf8))
        exit(code)
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (schema in README) instead of text.")
    var json = false

    @Option(name: .long, help: "Catalog database path (default $SPECFIT_DB, else $XDG_DATA_HOME/specfit/catalog.sqlite).")
    var db: String?

    @Option(name: .long, help: "Read the machine from a saved `specfit probe --json` file instead of probing this one.")
    var machine: String?

    func openCatalog() throws -> CatalogStore {
        try CatalogStore(path: db ?? CatalogStore.defaultPath())
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try enc.encode(value)
    print(String(decoding: data, as: UTF8.self))
}
