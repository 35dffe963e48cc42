// The GGUF reader and writer (DESIGN §2); see GGUFFile.swift.
