// A parsed JSON or YAML input with a line for every JSON pointer, so that every later error can
// name the file, the pointer and the line (DESIGN §9). YAML and JSON share one schema.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/input_error.hpp"

namespace faultline::sim {

using Json = nlohmann::ordered_json;

struct Document {
  std::string file;  // as given by the user, or a description such as "<string>"
  Json root;
  std::map<std::string, int> lines;      // JSON pointer → 1-based line of its key or element
  std::map<std::string, std::string> origins;  // JSON pointer → where an override came from

  /// The line of the pointer, or of its nearest ancestor that has one; 0 if none.
  [[nodiscard]] int line_of(const std::string& pointer) const;
  /// An InputError at this pointer, mentioning the override that put the value there if any.
  [[nodiscard]] InputError error(const std::string& pointer, const std::string& message) const;
};

enum class DocumentFormat { automatic, json, yaml };

/// Reads and parses a file. The format comes from the extension (.json / .yaml / .yml), else
/// from the content. Throws InputError for an unreadable file, a syntax error or a duplicate key.
Document load_document(const std::string& path, DocumentFormat format = DocumentFormat::automatic);
/// Parses text; `name` is used in error messages.
Document parse_document(std::string_view text, const std::string& name, DocumentFormat format = DocumentFormat::automatic);

/// Every document of a file: a YAML stream may hold several ("---"), as Kubernetes manifests and
/// Chaos Mesh examples do; JSON holds one. Lines stay those of the whole file. Empty YAML
/// documents are kept as null roots, so that indices match the file.
std::vector<Document> load_documents(const std::string& path, DocumentFormat format = DocumentFormat::automatic);
std::vector<Document> parse_documents(std::string_view text, const std::string& name,
                                      DocumentFormat format = DocumentFormat::automatic);

/// Parses one YAML scalar or flow value the way a YAML file would (for --set values):
/// "8" → 8, "true" → true, "quorum" → "quorum", "[a, b]" → ["a","b"].
Json parse_yaml_value(std::string_view text);

/// Appends a JSON-pointer reference token, escaping '~' and '/'.
std::string pointer_append(const std::string& pointer, std::string_view token);
std::string pointer_append(const std::string& pointer, size_t index);

}  // namespace faultline::sim
