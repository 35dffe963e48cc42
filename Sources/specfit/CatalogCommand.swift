import ArgumentParser
import Catalog
import Foundation
import GGUF
import SpecFitCore

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Browse, check and extend the catalog: models, GPUs, quant types, ftypes, tokenizers, acceptance priors.",
        subcommands: [List.self, Show.self, Search.self, Validate.self, Import.self, Add.self, Export.self, Remove.self])

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
            // An exact id (any table), then a model or GPU name through the resolvers `fit` uses, then a type name.
            var hit: (table: String, id: String)? = nil
            for table in CatalogCommand.tables.dropLast() where hit == nil {
                if let row = try catalog.rows(table: table).first(where: { $0["id"]?.lowercased() == name.lowercased() }) {
                    hit = (table, row["id"] ?? "")
                }
            }
            if hit == nil {
                let models = ModelNameResolver(models: try catalog.models()).resolve(name)
                let gpus = GPUNameResolver(cards: try catalog.gpus()).resolve(name)
                switch (models, gpus) {
                case (.found(let m), _): hit = ("models", m.id)
                case (_, .found(let id)): hit = ("gpus", id)
                case (.ambiguous(let ids), _), (_, .ambiguous(let ids)): throw CatalogError.ambiguous(name: name, candidates: ids)
                case (.notFound(let a), .notFound(let b)):
                    for table in ["quant_types", "ftypes"] where hit == nil {
                        if let row = try catalog.rows(table: table).first(where: { $0["name"]?.lowercased() == name.lowercased() }) {
                            hit = (table, row["id"] ?? "")
                        }
                    }
                    if hit == nil {
                        let s = Array((a + b).prefix(5))
                        throw CLIError(message: "nothing in the catalog is called '\(name)'" + (s.isEmpty ? "; `specfit catalog search TEXT` finds rows by part of a name" : "; did you mean \(s.joined(separator: ", "))?"), code: 2)
                    }
                }
            }
            guard let hit, let row = try catalog.rows(table: hit.table).first(where: { $0["id"] == hit.id }) else {
                throw CLIError(message: "nothing in the catalog is called '\(name)'", code: 2)
            }
            if global.json { try printJSON(["table": hit.table].merging(row) { a, _ in a }); return }
            print("\(hit.table): \(row["id"] ?? "")")
            for k in row.keys.sorted() where k != "id" { print("  \(k.padding(toLength: 22, withPad: " ", startingAt: 0)) \(row[k] ?? "")") }
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

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check catalog rows: schema, sources, head and KV shapes, sliding windows, bandwidth, PCI ids, aliases, references.",
            discussion: """
            Without FILE: the catalog this binary carries and your own rows in the database. With FILE.csv: those files, \
            checked as `catalog import` would check them. One line per problem, `file:line id: rule: message`, then a \
            count; exit 1 when there is a problem.
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "CSV files to check as imports (default: the catalog itself).")
        var files: [String] = []
        @Option(name: .long, help: "Check the CSV files of a catalog folder (a checkout's catalog/) instead of the bundled copy.")
        var dir: String?
        @Flag(name: .long, help: "Check only the catalog this binary carries, not the rows in the database.")
        var bundled = false
        @Option(name: .long, help: "With FILE: the table the files hold (default: told from the header).")
        var table: String?
        @Flag(name: .long, help: "With FILE: check as `catalog import --replace` would.")
        var replace = false
        @Flag(name: .long, help: "List the rules and exit.")
        var rules = false

        struct Report: Encodable {
            var valid: Bool
            var rowsChecked: Int
            var problems: [CatalogProblem]
        }

        func run() throws {
            if rules {
                if global.json { try printJSON(CatalogValidator.rules); return }
                for r in CatalogValidator.rules { print("\(r.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(r.table ?? "all tables"): \(r.summary)") }
                return
            }
            var problems: [CatalogProblem]
            var rows: Int
            if !files.isEmpty {
                let catalog = try global.openCatalog()
                problems = []
                rows = 0
                for f in files {
                    let checked = try catalog.checkCSV(text: try readText(f), file: f, table: table, replace: replace)
                    problems += checked.problems
                    rows += checked.rows
                }
            } else {
                let snapshot: CatalogSnapshot
                if let dir { snapshot = try CatalogSnapshot.folder(dir) }
                else if bundled { snapshot = try CatalogSnapshot.bundled() }
                else { snapshot = try global.openCatalog().snapshot() }
                problems = CatalogValidator.validate(snapshot)
                rows = snapshot.rowCount
            }
            if global.json {
                try printJSON(Report(valid: problems.isEmpty, rowsChecked: rows, problems: problems))
            } else {
                for p in problems { print(p.description) }
                let rules = Set(problems.map(\.rule)).sorted()
                let checked = "\(rows) row\(rows == 1 ? "" : "s") checked"
                print(problems.isEmpty ? "catalog valid: \(checked) against \(CatalogValidator.rules.count) rules, no problem"
                      : "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(checked) (rules: \(rules.joined(separator: ", ")))")
            }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add your own rows from a CSV file with the columns of a catalog table (all or nothing).",
            discussion: """
            The file has the header of the table's CSV (`specfit catalog export --table T` writes one). Every row is \
            checked first; one bad row rejects the file with its line and reason, and the database is left as it was. \
            Your rows are kept apart from the bundled ones and survive catalog upgrades.
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "CSV file.")
        var file: String
        @Option(name: .long, help: "Table: \(CatalogStore.importableTables.joined(separator: ", ")) (default: told from the header).")
        var table: String?
        @Flag(name: .long, help: "Let a row take the place of a bundled or user row with the same id.")
        var replace = false

        func run() throws {
            let catalog = try global.openCatalog()
            let r = try catalog.importCSV(text: try readText(file), file: file, table: table, replace: replace)
            if global.json { try printJSON(r); return }
            print("imported \(r.inserted.count) \(r.table) row\(r.inserted.count == 1 ? "" : "s") from \(file) into \(catalog.path): \(r.inserted.joined(separator: ", "))"
                  + (r.replaced.isEmpty ? "" : " (in place of the rows \(r.replaced.joined(separator: ", ")))"))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a model of your own from a GGUF file's header (shapes, context, experts, tokenizer).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("from-gguf"), help: "The GGUF file (the first of a split model).")
        var fromGGUF: String
        @Option(name: .long, help: "Catalog id for the row (default: from general.name, else the file name).")
        var id: String?
        @Option(name: .long, parsing: .singleValue, help: "Another name for the model (repeatable); the file name is always one.")
        var alias: [String] = []
        @Option(name: .long, help: "Tokenizer group id (default: the catalog group with the file's tokenizer facts, else a new group).")
        var tokenizer: String?
        @Flag(name: .long, help: "Let the row take the place of a row with the same id.")
        var replace = false

        func run() throws {
            let catalog = try global.openCatalog()
            let row: CatalogStore.GGUFModelRow
            do {
                row = try Self.modelRow(path: fromGGUF, id: id, aliases: alias)
            } catch let e as CatalogError { throw e } catch {
                throw CLIError(message: error.localizedDescription, code: 2)
            }
            let r = try catalog.addModel(row, file: fromGGUF, tokenizerID: tokenizer, replace: replace)
            if global.json { try printJSON(r); return }
            print("added model \(row.spec.id) (\(row.spec.architecture), \(String(format: "%.2f", row.spec.paramsTotalB)) B parameters, \(row.spec.nLayer) layers, n_ctx_train \(row.spec.nCtxTrain)) to \(catalog.path)"
                  + (r.alsoInserted.isEmpty ? "" : " with a new tokenizer group (\(r.alsoInserted.joined(separator: ", ")))"))
            if !r.tokenizerCandidates.isEmpty {
                print("tokenizer: groups \(r.tokenizerCandidates.joined(separator: ", ")) all have the file's tokenizer facts, so it got a group of its own; `--tokenizer ID --replace` puts it in one of them")
            }
            if !r.aliasesLeftOut.isEmpty {
                print("not kept as alias\(r.aliasesLeftOut.count == 1 ? "" : "es") (already the name of another row): \(r.aliasesLeftOut.joined(separator: ", "))")
            }
            print("use it as: specfit fit \(row.spec.id)")
        }

        /// The header's model as a catalog row: id from `--id`, else `general.name`, else the file name less its quantisation.
        static func modelRow(path: String, id: String?, aliases: [String]) throws -> CatalogStore.GGUFModelRow {
            let file = try GGUFModel.open(path: path)
            let d = try file.modelDescription()
            var spec = d.spec
            let stem = file.fileStem
            let named = file.stringValue("general.name").map(CatalogStore.slug) ?? ""
            let fromStem = CatalogStore.slug(ModelNameResolver.removingQuantisation(stem))
            spec.id = id ?? (named.isEmpty ? fromStem : named)
            spec.aliases = Array(Set(aliases + [stem]).subtracting([spec.id])).sorted()
            spec.hfRepo = file.stringValue("general.source.huggingface.repository") ?? ""
            if let embd = d.tensors.first(where: { $0.name == "token_embd.weight" }), embd.shape.count >= 2 {
                spec.vocabSize = Int(embd.shape[1])
            }
            let tokens = file.arrayCount("tokenizer.ggml.tokens") ?? d.tokenizer.vocabSize
            let abs = URL(fileURLWithPath: path).standardizedFileURL.path
            let stamp = ISO8601DateFormatter().string(from: Date()).prefix(10)
            spec.source = "GGUF header of \(abs) (\(file.fileBytes) bytes; general.name '\(file.stringValue("general.name") ?? "")', general.architecture \(spec.architecture)), read by `specfit catalog add --from-gguf` on \(stamp)"
            return CatalogStore.GGUFModelRow(spec: spec, tokenizer: d.tokenizer, tokenizerPre: d.tokenizerPre ?? "default",
                                             tokenCount: tokens, source: spec.source)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a table as CSV that `catalog import` reads back (default: your own models).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Table: \(CatalogCommand.tables.dropLast().joined(separator: ", ")).")
        var table = "models"
        @Option(name: .long, help: "Rows: user, bundled or all.")
        var origin = "user"
        @Option(name: [.short, .long], help: "Write to FILE (atomically) instead of standard output.")
        var output: String?

        func run() throws {
            guard let o = CatalogStore.OriginFilter(rawValue: origin) else {
                throw CLIError(message: "--origin \(origin): use user, bundled or all", code: 1)
            }
            guard CatalogCommand.tables.dropLast().contains(table) else {
                throw CLIError(message: "unknown table '\(table)'; use one of \(CatalogCommand.tables.dropLast().joined(separator: ", "))", code: 1)
            }
            let text = try global.openCatalog().exportCSV(table: table, origin: o)
            guard let output else { print(text, terminator: ""); return }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError(message: "cannot write \(output): \(error.localizedDescription); choose a writable place with -o", code: 3)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one of your own rows (bundled rows stay).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The row's id.")
        var id: String
        @Option(name: .long, help: "Table (default models).")
        var table = "models"

        func run() throws {
            let catalog = try global.openCatalog()
            try catalog.removeUserRow(table: table, id: id)
            print("removed \(table) row \(id) from \(catalog.path)")
        }
    }
}

/// A file's text, or an input error naming it.
func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CatalogError.unreadableFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied or not a regular file" : "no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CatalogError.unreadableFile(path: path, reason: "it is not UTF-8 text; save it as UTF-8 CSV")
    }
    return text
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
