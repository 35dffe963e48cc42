import ArgumentParser
import Catalog
import Foundation
import SpecFitCore

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Browse the catalog: models, GPUs, quant types, ftypes, tokenizers, acceptance priors.",
        subcommands: [List.self, Show.self, Search.self])

    static let tables = ["models", "gpus", "quant_types", "ftypes", "tokenizers", "acceptance", "pairs", "prices", "cloud_prices", "errors", "measurements"]

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a table (default: models).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Table: \(CatalogCommand.tables.joined(separator: ", ")).")
        var table = "models"

        func run() throws {
            guard CatalogCommand.tables.contains(table) else {
                throw CLIError(message: "unknown table '\(table)'; use one of \(CatalogCommand.tables.joined(separator: ", "))", code: 2)
            }
            let catalog = try global.openCatalog()
            let rows = try catalog.rows(table: table)
            if global.json { try printJSON(rows); return }
            let cols: [String] = switch table {
            case "models": ["id", "architecture", "params_total_b", "n_layer", "n_ctx_train", "tokenizer_id"]
            case "gpus": ["id", "name", "vram_mib", "bandwidth_gbps", "variant", "backend"]
            case "quant_types": ["id", "name", "block_size", "bytes_per_block", "status"]
            case "ftypes": ["id", "name", "default_type"]
            case "tokenizers": ["id", "vocab_type", "n_tokens", "members"]
            case "acceptance": ["id", "relation", "task", "metric", "value"]
            case "pairs": ["id", "target", "draft", "relation", "tasks"]
            case "prices": ["id", "gpu_id", "price", "currency", "kind", "date"]
            case "cloud_prices": ["id", "provider", "model_id", "output_per_mtok", "date"]
            case "errors": ["id", "symptom", "check"]
            default: ["id", "kind", "subject", "value", "unit", "measured_at"]
            }
            print(renderTable(rows, columns: cols))
            print("\(rows.count) rows")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one row of any table, with its source.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A model or GPU id or alias, a quant type or ftype name, a tokenizer or acceptance id.")
        var name: String

        func run() throws {
            let catalog = try global.openCatalog()
            for table in CatalogCommand.tables.dropLast() {
                for row in try catalog.rows(table: table) {
                    let keys = [row["id"], row["name"]].compactMap { $0?.lowercased() } + CatalogStore.list(row["aliases"]).map { $0.lowercased() }
                    if keys.contains(name.lowercased()) {
                        if global.json { try printJSON(["table": table].merging(row) { a, _ in a }); return }
                        print("\(table): \(row["id"] ?? "")")
                        for k in row.keys.sorted() where k != "id" { print("  \(k.padding(toLength: 22, withPad: " ", startingAt: 0)) \(row[k] ?? "")") }
                        return
                    }
                }
            }
            let models = try catalog.models(), gpus = try catalog.gpus()
            let candidates = models.map { ($0.id, $0.aliases) } + gpus.map { ($0.id, $0.aliases) }
            if case .found(let id) = NameMatcher.resolve(name, candidates: candidates) {
                var again = self
                again.name = id
                try again.run()
                return
            }
            if case .notFound(let s) = NameMatcher.resolve(name, candidates: candidates) {
                throw CLIError(message: "nothing in the catalog is called '\(name)'" + (s.isEmpty ? "" : "; did you mean \(s.joined(separator: ", "))?"), code: 2)
            }
            throw CLIError(message: "'\(name)' is ambiguous; use `specfit catalog search \(name)`", code: 2)
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find rows whose id, name, aliases or family contain a text.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Text to look for (case-insensitive).")
        var query: String

        func run() throws {
            let catalog = try global.openCatalog()
            let q = query.lowercased()
            var hits: [[String: String]] = []
            for table in CatalogCommand.tables.dropLast() {
                for row in try catalog.rows(table: table) {
                    let text = ["id", "name", "aliases", "family", "hf_repo", "members"].compactMap { row[$0] }.joined(separator: " ").lowercased()
                    if text.contains(q) { hits.append(["table": table, "id": row["id"] ?? "", "name": row["name"] ?? row["members"] ?? ""]) }
                }
            }
            if global.json { try printJSON(hits); return }
            if hits.isEmpty { print("no rows match '\(query)'") } else { print(renderTable(hits, columns: ["table", "id", "name"])) }
        }
    }
}

/// A fixed-width text table.
func renderTable(_ rows: [[String: String]], columns: [String]) -> String {
    let widths = columns.map { c in min(48, max(c.count, rows.map { ($0[c] ?? "").count }.max() ?? 0)) }
    func line(_ cells: [String]) -> String {
        zip(cells, widths).map { cell, w in String(cell.prefix(w)).padding(toLength: w, withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    return ([line(columns), line(widths.map { String(repeating: "-", count: $0) })] + rows.map { r in line(columns.map { r[$0] ?? "" }) })
        .joined(separator: "\n")
}
