// Lexer and recursive-descent parser of the PromQL subset, with Prometheus's precedence
// (or < and/unless < comparisons < + - < * / % atan2 < unary - < ^, ^ right-associative) and
// its parse-time type checks. Everything outside the subset is refused here, by name.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "sim/promql/ast.hpp"

namespace faultline::sim::promql {

namespace {

enum class Tok {
  eof, ident, number, duration, string, lparen, rparen, lbrace, rbrace, lbracket, rbracket, comma, colon, at,
  add, sub, mul, div, mod, pow, eql, neq, lte, lss, gte, gtr, assign, eql_regex, neq_regex,
};

struct Token {
  Tok kind = Tok::eof;
  size_t begin = 0, end = 0;
  std::string text;     // identifier, or the decoded string literal
  double number = 0.0;  // number
  int64_t ns = 0;       // duration
};

const char* tok_desc(Tok t) {
  switch (t) {
    case Tok::eof: return "end of input";
    case Tok::ident: return "identifier";
    case Tok::number: return "number";
    case Tok::duration: return "duration";
    case Tok::string: return "string";
    case Tok::lparen: return "\"(\"";
    case Tok::rparen: return "\")\"";
    case Tok::lbrace: return "\"{\"";
    case Tok::rbrace: return "\"}\"";
    case Tok::lbracket: return "\"[\"";
    case Tok::rbracket: return "\"]\"";
    case Tok::comma: return "\",\"";
    case Tok::colon: return "\":\"";
    case Tok::at: return "\"@\"";
    case Tok::add: return "\"+\"";
    case Tok::sub: return "\"-\"";
    case Tok::mul: return "\"*\"";
    case Tok::div: return "\"/\"";
    case Tok::mod: return "\"%\"";
    case Tok::pow: return "\"^\"";
    case Tok::eql: return "\"==\"";
    case Tok::neq: return "\"!=\"";
    case Tok::lte: return "\"<=\"";
    case Tok::lss: return "\"<\"";
    case Tok::gte: return "\">=\"";
    case Tok::gtr: return "\">\"";
    case Tok::assign: return "\"=\"";
    case Tok::eql_regex: return "\"=~\"";
    case Tok::neq_regex: return "\"!~\"";
  }
  return "token";
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

[[noreturn]] void fail(std::string_view q, size_t pos, const std::string& msg) {
  throw QueryError(QueryError::Kind::parse, q, pos, msg);
}
[[noreturn]] void refuse(std::string_view q, size_t pos, const std::string& msg) {
  throw QueryError(QueryError::Kind::unsupported, q, pos, msg);
}

// Durations: one or more <integer><unit>, units largest first (Prometheus model.ParseDuration).
std::optional<int64_t> scan_duration(std::string_view s, size_t& pos) {
  struct Unit {
    const char* name;
    int64_t ns;
    int rank;
  };
  static const Unit units[] = {{"ms", 1'000'000LL, 1},
                               {"s", 1'000'000'000LL, 2},
                               {"m", 60'000'000'000LL, 3},
                               {"h", 3'600'000'000'000LL, 4},
                               {"d", 86'400'000'000'000LL, 5},
                               {"w", 604'800'000'000'000LL, 6},
                               {"y", 31'536'000'000'000'000LL, 7}};
  size_t p = pos;
  int64_t total = 0;
  int last_rank = 8;
  bool any = false;
  while (p < s.size() && is_digit(s[p])) {
    int64_t n = 0;
    while (p < s.size() && is_digit(s[p])) {
      if (__builtin_mul_overflow(n, int64_t{10}, &n) || __builtin_add_overflow(n, int64_t{s[p] - '0'}, &n))
        return std::nullopt;
      ++p;
    }
    const Unit* unit = nullptr;
    for (const Unit& u : units) {
      const size_t len = std::char_traits<char>::length(u.name);
      if (s.substr(p, len) == u.name && !(len == 1 && u.name[0] == 'm' && p + 1 < s.size() && s[p + 1] == 's')) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr || unit->rank >= last_rank) return std::nullopt;
    last_rank = unit->rank;
    p += std::char_traits<char>::length(unit->name);
    int64_t part;
    if (__builtin_mul_overflow(n, unit->ns, &part) || __builtin_add_overflow(total, part, &total)) return std::nullopt;
    any = true;
  }
  if (!any || (p < s.size() && (is_alnum(s[p]) || s[p] == '.'))) return std::nullopt;
  pos = p;
  return total;
}

class Lexer {
 public:
  explicit Lexer(std::string_view q) : q_(q) {}

  Token next() {
    skip_space();
    Token t;
    t.begin = pos_;
    if (pos_ >= q_.size()) {
      t.end = pos_;
      return t;
    }
    const char c = q_[pos_];
    auto single = [&](Tok k, size_t len = 1) {
      t.kind = k;
      pos_ += len;
      t.end = pos_;
      return t;
    };
    const char n = pos_ + 1 < q_.size() ? q_[pos_ + 1] : '\0';
    switch (c) {
      case '(': return single(Tok::lparen);
      case ')': return single(Tok::rparen);
      case '{': return single(Tok::lbrace);
      case '}': return single(Tok::rbrace);
      case '[': return single(Tok::lbracket);
      case ']': return single(Tok::rbracket);
      case ',': return single(Tok::comma);
      case ':': return single(Tok::colon);
      case '@': return single(Tok::at);
      case '+': return single(Tok::add);
      case '-': return single(Tok::sub);
      case '*': return single(Tok::mul);
      case '/': return single(Tok::div);
      case '%': return single(Tok::mod);
      case '^': return single(Tok::pow);
      case '=':
        if (n == '=') return single(Tok::eql, 2);
        if (n == '~') return single(Tok::eql_regex, 2);
        return single(Tok::assign);
      case '!':
        if (n == '=') return single(Tok::neq, 2);
        if (n == '~') return single(Tok::neq_regex, 2);
        fail(q_, pos_, "unexpected character after '!': expected \"!=\" or \"!~\"");
      case '<':
        if (n == '=') return single(Tok::lte, 2);
        return single(Tok::lss);
      case '>':
        if (n == '=') return single(Tok::gte, 2);
        return single(Tok::gtr);
      case '"':
      case '\'':
      case '`': return string_literal();
      default: break;
    }
    if (is_digit(c) || (c == '.' && is_digit(n))) return number_or_duration();
    if (is_alpha(c) || c == ':') {
      while (pos_ < q_.size() && (is_alnum(q_[pos_]) || q_[pos_] == ':')) ++pos_;
      t.kind = Tok::ident;
      t.text = std::string(q_.substr(t.begin, pos_ - t.begin));
      t.end = pos_;
      const std::string l = lower(t.text);
      if (l == "inf" || l == "nan") {  // Prometheus lexes Inf and NaN as numbers
        t.kind = Tok::number;
        t.number = l == "inf" ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
      }
      return t;
    }
    fail(q_, pos_, std::string("unexpected character '") + c + "'");
  }

 private:
  void skip_space() {
    while (pos_ < q_.size()) {
      const char c = q_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {  // comment to the end of the line
        while (pos_ < q_.size() && q_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  Token number_or_duration() {
    Token t;
    t.begin = pos_;
    size_t p = pos_;
    if (auto d = scan_duration(q_, p)) {
      t.kind = Tok::duration;
      t.ns = *d;
      pos_ = p;
      t.end = p;
      return t;
    }
    p = pos_;
    t.kind = Tok::number;
    if (q_[p] == '0' && p + 1 < q_.size() && (q_[p + 1] == 'x' || q_[p + 1] == 'X')) {
      p += 2;
      const size_t digits = p;
      while (p < q_.size() && std::isxdigit(static_cast<unsigned char>(q_[p]))) ++p;
      uint64_t v = 0;
      auto res = std::from_chars(q_.data() + digits, q_.data() + p, v, 16);
      if (p == digits || res.ec != std::errc()) fail(q_, t.begin, "bad number syntax");
      t.number = static_cast<double>(v);
    } else {
      while (p < q_.size() && is_digit(q_[p])) ++p;
      if (p < q_.size() && q_[p] == '.') {
        ++p;
        while (p < q_.size() && is_digit(q_[p])) ++p;
      }
      if (p < q_.size() && (q_[p] == 'e' || q_[p] == 'E')) {
        size_t e = p + 1;
        if (e < q_.size() && (q_[e] == '+' || q_[e] == '-')) ++e;
        if (e < q_.size() && is_digit(q_[e])) {
          p = e;
          while (p < q_.size() && is_digit(q_[p])) ++p;
        }
      }
      auto res = std::from_chars(q_.data() + t.begin, q_.data() + p, t.number);
      if (res.ec == std::errc::result_out_of_range) {
        t.number = std::strtod(std::string(q_.substr(t.begin, p - t.begin)).c_str(), nullptr);  // ±Inf or 0 like Go
      } else if (res.ec != std::errc() || res.ptr != q_.data() + p) {
        fail(q_, t.begin, "bad number syntax");
      }
    }
    if (p < q_.size() && (is_alnum(q_[p]) || q_[p] == '.')) fail(q_, t.begin, "bad number or duration syntax");
    pos_ = p;
    t.end = p;
    return t;
  }

  void append_utf8(std::string& out, uint32_t cp, size_t at) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail(q_, at, "invalid Unicode code point in escape");
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Go string literal rules: "..." and '...' with escapes, `...` raw.
  Token string_literal() {
    Token t;
    t.kind = Tok::string;
    t.begin = pos_;
    const char quote = q_[pos_++];
    for (;;) {
      if (pos_ >= q_.size()) fail(q_, t.begin, "unterminated quoted string");
      const char c = q_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (quote != '`' && c == '\n') fail(q_, pos_, "newline in a quoted string");
      if (quote == '`' || c != '\\') {
        t.text += c;
        ++pos_;
        continue;
      }
      const size_t esc = pos_;
      if (pos_ + 1 >= q_.size()) fail(q_, esc, "unterminated escape sequence");
      const char e = q_[pos_ + 1];
      pos_ += 2;
      auto hex = [&](size_t n) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; ++i) {
          if (pos_ >= q_.size() || !std::isxdigit(static_cast<unsigned char>(q_[pos_])))
            fail(q_, esc, "invalid escape sequence");
          const char h = q_[pos_++];
          v = v * 16 + static_cast<uint32_t>(is_digit(h) ? h - '0' : (std::tolower(h) - 'a' + 10));
        }
        return v;
      };
      switch (e) {
        case 'a': t.text += '\a'; break;
        case 'b': t.text += '\b'; break;
        case 'f': t.text += '\f'; break;
        case 'n': t.text += '\n'; break;
        case 'r': t.text += '\r'; break;
        case 't': t.text += '\t'; break;
        case 'v': t.text += '\v'; break;
        case '\\': t.text += '\\'; break;
        case '"':
        case '\'':
          if (e != quote) fail(q_, esc, std::string("invalid escape \\") + e + " in a " + quote + "-quoted string");
          t.text += e;
          break;
        case 'x': t.text += static_cast<char>(hex(2)); break;
        case 'u': append_utf8(t.text, hex(4), esc); break;
        case 'U': append_utf8(t.text, hex(8), esc); break;
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int i = 0; i < 2; ++i) {
              if (pos_ >= q_.size() || q_[pos_] < '0' || q_[pos_] > '7') fail(q_, esc, "invalid octal escape");
              v = v * 8 + static_cast<uint32_t>(q_[pos_++] - '0');
            }
            if (v > 255) fail(q_, esc, "octal escape value > 255");
            t.text += static_cast<char>(v);
            break;
          }
          fail(q_, esc, std::string("unknown escape sequence \\") + e);
      }
    }
    t.end = pos_;
    return t;
  }

  std::string_view q_;
  size_t pos_ = 0;
};

bool is_aggregator_word(const std::string& l) {
  static const char* all[] = {"sum",    "avg",   "min",        "max",    "count",       "group",
                              "stddev", "stdvar", "topk",      "bottomk", "quantile",   "count_values",
                              "limitk", "limit_ratio"};
  return std::any_of(std::begin(all), std::end(all), [&](const char* a) { return l == a; });
}

std::optional<AggOp> supported_aggregator(const std::string& l) {
  if (l == "sum") return AggOp::sum;
  if (l == "avg") return AggOp::avg;
  if (l == "min") return AggOp::min;
  if (l == "max") return AggOp::max;
  if (l == "count") return AggOp::count;
  if (l == "group") return AggOp::group;
  return std::nullopt;
}

bool is_keyword(const std::string& l) {
  static const char* all[] = {"by",          "without", "on",     "ignoring", "group_left", "group_right",
                              "bool",        "offset",  "and",    "or",       "unless",     "atan2"};
  return std::any_of(std::begin(all), std::end(all), [&](const char* a) { return l == a; });
}

std::string type_text(ValueType t) {
  switch (t) {
    case ValueType::scalar: return "scalar";
    case ValueType::vector: return "instant vector";
    case ValueType::matrix: return "range vector";
    case ValueType::string: return "string";
  }
  return "?";
}

class Parser {
 public:
  explicit Parser(std::string_view q) : q_(q), lex_(q) { advance(); }

  std::unique_ptr<Node> parse() {
    if (tok_.kind == Tok::eof) fail(q_, 0, "no expression found in input");
    auto e = expr(0);
    if (tok_.kind != Tok::eof) unexpected("");
    return e;
  }

 private:
  void advance() {
    prev_end_ = tok_.end;
    tok_ = lex_.next();
  }

  [[noreturn]] void unexpected(const std::string& context) {
    std::string what = tok_.kind == Tok::ident ? "\"" + tok_.text + "\"" : tok_desc(tok_.kind);
    fail(q_, tok_.begin, "unexpected " + what + (context.empty() ? "" : " " + context));
  }

  void expect(Tok k, const std::string& context) {
    if (tok_.kind != k) {
      std::string what = tok_.kind == Tok::ident ? "\"" + tok_.text + "\"" : tok_desc(tok_.kind);
      fail(q_, tok_.begin, std::string("expected ") + tok_desc(k) + " " + context + ", got " + what);
    }
    advance();
  }

  bool at_word(const char* w) const { return tok_.kind == Tok::ident && lower(tok_.text) == w; }

  std::unique_ptr<Node> make(Node::Kind k, size_t begin) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->begin = begin;
    return n;
  }

  // Binary operator at the current token, if any: (op, precedence, right-associative).
  std::optional<BinOp> peek_binop(int& prec) const {
    switch (tok_.kind) {
      case Tok::add: prec = 4; return BinOp::add;
      case Tok::sub: prec = 4; return BinOp::sub;
      case Tok::mul: prec = 5; return BinOp::mul;
      case Tok::div: prec = 5; return BinOp::div;
      case Tok::mod: prec = 5; return BinOp::mod;
      case Tok::pow: prec = 7; return BinOp::pow;
      case Tok::eql: prec = 3; return BinOp::eq;
      case Tok::neq: prec = 3; return BinOp::ne;
      case Tok::gtr: prec = 3; return BinOp::gt;
      case Tok::lss: prec = 3; return BinOp::lt;
      case Tok::gte: prec = 3; return BinOp::ge;
      case Tok::lte: prec = 3; return BinOp::le;
      case Tok::ident: {
        const std::string l = lower(tok_.text);
        if (l == "and") { prec = 2; return BinOp::land; }
        if (l == "unless") { prec = 2; return BinOp::lunless; }
        if (l == "or") { prec = 1; return BinOp::lor; }
        if (l == "atan2") { prec = 5; return BinOp::atan2; }
        return std::nullopt;
      }
      default: return std::nullopt;
    }
  }

  static constexpr int kUnaryPrec = 6;  // unary minus binds tighter than * and looser than ^

  std::unique_ptr<Node> expr(int min_prec) {
    // A bound on recursion, so that a hostile query cannot overflow the stack.
    struct Depth {
      int& d;
      Depth(int& x, std::string_view q, size_t pos) : d(x) {
        if (++d > 500) fail(q, pos, "expression nested too deeply (more than 500 levels)");
      }
      ~Depth() { --d; }
    } depth(depth_, q_, tok_.begin);
    auto lhs = unary();
    for (;;) {
      int prec = 0;
      auto op = peek_binop(prec);
      if (!op || prec < min_prec) return lhs;
      const size_t op_pos = tok_.begin;
      advance();
      auto node = make(Node::Kind::binary, lhs->begin);
      node->op = *op;
      bool matching_given = false;
      size_t matching_pos = 0;
      if (at_word("bool")) {
        if (!is_comparison(*op)) fail(q_, tok_.begin, "bool modifier can only be used on comparison operators");
        node->return_bool = true;
        advance();
      }
      if (at_word("on") || at_word("ignoring")) {
        matching_given = true;
        matching_pos = tok_.begin;
        node->matching.on = at_word("on");
        advance();
        node->matching.labels = label_list("in the on/ignoring clause");
        if (at_word("group_left") || at_word("group_right")) {
          if (is_set_operator(*op))
            fail(q_, tok_.begin, std::string("no grouping allowed for \"") + bin_op_text(*op) + "\" operation");
          node->matching.card = at_word("group_left") ? Cardinality::many_to_one : Cardinality::one_to_many;
          advance();
          if (tok_.kind == Tok::lparen) node->matching.include = label_list("in the group_left/group_right clause");
          for (const auto& l : node->matching.include)
            if (node->matching.on &&
                std::find(node->matching.labels.begin(), node->matching.labels.end(), l) != node->matching.labels.end())
              fail(q_, matching_pos, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
        }
      } else if (at_word("group_left") || at_word("group_right")) {
        fail(q_, tok_.begin, "group_left/group_right need an on(...) or ignoring(...) clause before them");
      }
      const bool right_assoc = *op == BinOp::pow;
      auto rhs = expr(right_assoc ? prec : prec + 1);
      node->end = rhs->end;
      const ValueType lt = lhs->type, rt = rhs->type;
      if ((lt != ValueType::scalar && lt != ValueType::vector) || (rt != ValueType::scalar && rt != ValueType::vector))
        fail(q_, op_pos, "binary expression must contain only scalar and instant vector types");
      if (is_set_operator(*op)) {
        if (lt == ValueType::scalar || rt == ValueType::scalar)
          fail(q_, op_pos, std::string("set operator \"") + bin_op_text(*op) + "\" not allowed in binary scalar expression");
        node->matching.card = Cardinality::many_to_many;
      }
      if (lt == ValueType::scalar && rt == ValueType::scalar && is_comparison(*op) && !node->return_bool)
        fail(q_, op_pos, "comparisons between scalars must use BOOL modifier");
      if ((lt != ValueType::vector || rt != ValueType::vector) && matching_given)
        fail(q_, matching_pos, "vector matching only allowed between instant vectors");
      node->type = (lt == ValueType::vector || rt == ValueType::vector) ? ValueType::vector : ValueType::scalar;
      node->children.push_back(std::move(lhs));
      node->children.push_back(std::move(rhs));
      lhs = std::move(node);
    }
  }

  std::unique_ptr<Node> unary() {
    if (tok_.kind == Tok::add || tok_.kind == Tok::sub) {
      const size_t begin = tok_.begin;
      const bool neg = tok_.kind == Tok::sub;
      advance();
      auto operand = expr(kUnaryPrec + 1);
      if (operand->type != ValueType::scalar && operand->type != ValueType::vector)
        fail(q_, begin, "unary expression only allowed on expressions of type scalar or instant vector");
      if (operand->kind == Node::Kind::number) {  // Prometheus folds -1 into a literal
        operand->begin = begin;
        if (neg) operand->number = -operand->number;
        return operand;
      }
      auto n = make(Node::Kind::unary, begin);
      n->negate = neg;
      n->type = operand->type;
      n->end = operand->end;
      n->children.push_back(std::move(operand));
      return n;
    }
    return postfix();
  }

  std::unique_ptr<Node> postfix() {
    auto e = primary();
    bool has_offset = false;
    for (;;) {
      if (tok_.kind == Tok::lbracket) {
        const size_t begin = tok_.begin;
        advance();
        int64_t range = 0;
        if (tok_.kind == Tok::duration) {
          range = tok_.ns;
          advance();
        } else if (tok_.kind != Tok::colon) {
          unexpected("in a range: expected a duration such as 5m");
        }
        if (tok_.kind == Tok::colon) refuse(q_, begin, "subqueries are not supported");
        expect(Tok::rbracket, "to close the range");
        if (e->kind != Node::Kind::vector_selector)
          fail(q_, begin, "ranges only allowed for vector selectors");
        if (has_offset) fail(q_, begin, "no offset modifiers allowed before range");
        if (range <= 0) fail(q_, begin, "range must be greater than 0");
        e->kind = Node::Kind::matrix_selector;
        e->type = ValueType::matrix;
        e->range_ns = range;
        e->end = prev_end_;
        continue;
      }
      if (at_word("offset")) {
        const size_t begin = tok_.begin;
        advance();
        bool neg = false;
        if (tok_.kind == Tok::sub || tok_.kind == Tok::add) {
          neg = tok_.kind == Tok::sub;
          advance();
        }
        if (tok_.kind != Tok::duration) unexpected("after offset: expected a duration such as 5m");
        const int64_t off = neg ? -tok_.ns : tok_.ns;
        advance();
        if (e->kind != Node::Kind::vector_selector && e->kind != Node::Kind::matrix_selector)
          fail(q_, begin, "offset modifier must be preceded by an instant vector selector or range vector selector");
        if (has_offset) fail(q_, begin, "offset may not be set multiple times");
        e->offset_ns = off;
        has_offset = true;
        e->end = prev_end_;
        continue;
      }
      if (tok_.kind == Tok::at) refuse(q_, tok_.begin, "the @ modifier is not supported");
      return e;
    }
  }

  std::unique_ptr<Node> primary() {
    const size_t begin = tok_.begin;
    switch (tok_.kind) {
      case Tok::number: {
        auto n = make(Node::Kind::number, begin);
        n->number = tok_.number;
        n->type = ValueType::scalar;
        advance();
        n->end = prev_end_;
        return n;
      }
      case Tok::string: {
        auto n = make(Node::Kind::string, begin);
        n->text = tok_.text;
        n->type = ValueType::string;
        advance();
        n->end = prev_end_;
        return n;
      }
      case Tok::lparen: {
        advance();
        auto inner = expr(0);
        expect(Tok::rparen, "to close the parenthesis");
        auto n = make(Node::Kind::paren, begin);
        n->type = inner->type;
        n->end = prev_end_;
        n->children.push_back(std::move(inner));
        return n;
      }
      case Tok::lbrace: return selector(begin, "");
      case Tok::ident: break;
      case Tok::duration: fail(q_, begin, "unexpected duration: durations are only allowed in ranges and offsets");
      default: unexpected("");
    }
    const std::string word = tok_.text;
    const std::string l = lower(word);
    advance();
    if (is_aggregator_word(l) && (tok_.kind == Tok::lparen || at_word("by") || at_word("without")))
      return aggregation(begin, l);
    if (tok_.kind == Tok::lparen) return call(begin, word);
    if (is_keyword(l)) fail(q_, begin, "unexpected keyword \"" + word + "\"");
    return selector(begin, word);
  }

  std::vector<std::string> label_list(const std::string& context) {
    expect(Tok::lparen, context);
    std::vector<std::string> out;
    while (tok_.kind != Tok::rparen) {
      if (tok_.kind != Tok::ident || tok_.text.find(':') != std::string::npos) unexpected(context + ": expected a label name");
      out.push_back(tok_.text);
      advance();
      if (tok_.kind == Tok::comma) {
        advance();
        continue;
      }
      if (tok_.kind != Tok::rparen) unexpected(context + ": expected \",\" or \")\"");
    }
    advance();
    return out;
  }

  std::unique_ptr<Node> selector(size_t begin, const std::string& name) {
    auto n = make(Node::Kind::vector_selector, begin);
    n->type = ValueType::vector;
    if (!name.empty()) n->matchers.push_back(Matcher{"__name__", MatchOp::equal, name, nullptr});
    if (tok_.kind == Tok::lbrace) {
      advance();
      while (tok_.kind != Tok::rbrace) {
        if (tok_.kind == Tok::string) fail(q_, tok_.begin, "quoted metric and label names are not supported");
        if (tok_.kind != Tok::ident || tok_.text.find(':') != std::string::npos)
          unexpected("in label matching: expected a label name");
        Matcher m;
        m.name = tok_.text;
        const size_t mpos = tok_.begin;
        advance();
        switch (tok_.kind) {
          case Tok::assign: m.op = MatchOp::equal; break;
          case Tok::neq: m.op = MatchOp::not_equal; break;
          case Tok::eql_regex: m.op = MatchOp::regex; break;
          case Tok::neq_regex: m.op = MatchOp::not_regex; break;
          default: unexpected("in label matching: expected one of \"=\", \"!=\", \"=~\", \"!~\"");
        }
        advance();
        if (tok_.kind != Tok::string) unexpected("in label matching: expected a quoted string");
        m.value = tok_.text;
        const size_t vpos = tok_.begin;
        advance();
        if (m.op == MatchOp::regex || m.op == MatchOp::not_regex) m.re = compile_regex(m.value, vpos);
        if (m.name == "__name__" && !name.empty())
          fail(q_, mpos, "metric name must not be set twice: \"" + name + "\" or \"" + m.value + "\"");
        n->matchers.push_back(std::move(m));
        if (tok_.kind == Tok::comma) {
          advance();
          continue;
        }
        if (tok_.kind != Tok::rbrace) unexpected("in label matching: expected \",\" or \"}\"");
      }
      advance();
    }
    n->end = prev_end_;
    if (std::all_of(n->matchers.begin(), n->matchers.end(), [](const Matcher& m) { return m.matches(""); }))
      fail(q_, begin, "vector selector must contain at least one non-empty matcher");
    return n;
  }

  std::shared_ptr<const std::regex> compile_regex(const std::string& value, size_t pos) {
    std::string pattern = value;
    auto flags = std::regex::ECMAScript;
    if (pattern.rfind("(?i)", 0) == 0) {  // RE2's case-insensitive prefix, the one inline flag Prometheus users write
      pattern.erase(0, 4);
      flags |= std::regex::icase;
    }
    if (pattern.find("(?P<") != std::string::npos || pattern.find("(?s") != std::string::npos ||
        pattern.find("(?m") != std::string::npos || pattern.find("(?U") != std::string::npos ||
        pattern.find("(?i") != std::string::npos)
      refuse(q_, pos, "regular expression \"" + value +
                          "\": RE2 inline flags other than a leading (?i), and named groups (?P<...>), are not supported "
                          "(std::regex ECMAScript is used)");
    // RE2 escapes that ECMAScript would read as something else (\pL would match "pL").
    for (size_t i = 0; i + 1 < pattern.size(); ++i) {
      if (pattern[i] != '\\') continue;
      const char e = pattern[++i];
      if (std::string_view("pPzAQEC").find(e) != std::string_view::npos)
        refuse(q_, pos, "regular expression \"" + value + "\": the RE2 escape \\" + std::string(1, e) +
                            " is not supported (std::regex ECMAScript is used)");
    }
    try {
      return std::make_shared<const std::regex>("(?:" + pattern + ")", flags);
    } catch (const std::regex_error& e) {
      fail(q_, pos, "invalid regular expression \"" + value + "\": " + e.what());
    }
  }

  std::unique_ptr<Node> aggregation(size_t begin, const std::string& op_name) {
    const auto op = supported_aggregator(op_name);
    if (!op) refuse(q_, begin, "unsupported aggregation `" + op_name + "` (supported: sum, avg, min, max, count, group)");
    auto n = make(Node::Kind::aggregate, begin);
    n->agg = *op;
    n->type = ValueType::vector;
    bool grouped = false;
    auto grouping = [&]() {
      n->without = at_word("without");
      advance();
      n->grouping = label_list(n->without ? "in the without clause" : "in the by clause");
      grouped = true;
    };
    if (at_word("by") || at_word("without")) grouping();
    expect(Tok::lparen, "after the aggregation " + op_name);
    std::vector<std::unique_ptr<Node>> args;
    while (tok_.kind != Tok::rparen) {
      args.push_back(expr(0));
      if (tok_.kind == Tok::comma) {
        advance();
        continue;
      }
      if (tok_.kind != Tok::rparen) unexpected("in the aggregation: expected \",\" or \")\"");
    }
    advance();
    if (!grouped && (at_word("by") || at_word("without"))) grouping();
    if (args.size() != 1)
      fail(q_, begin, "wrong number of arguments for aggregate expression provided, expected 1, got " +
                          std::to_string(args.size()));
    if (args[0]->type != ValueType::vector)
      fail(q_, args[0]->begin, "expected type instant vector in aggregation expression, got " + type_text(args[0]->type));
    n->end = prev_end_;
    n->children.push_back(std::move(args[0]));
    return n;
  }

  std::unique_ptr<Node> call(size_t begin, const std::string& name) {
    const FunctionDef* f = find_function(name);
    if (f == nullptr) {
      if (is_known_unsupported_function(name)) refuse(q_, begin, "unsupported function `" + name + "`");
      fail(q_, begin, "unknown function with name \"" + name + "\"");
    }
    auto n = make(Node::Kind::call, begin);
    n->func = f;
    n->type = f->result;
    advance();  // (
    while (tok_.kind != Tok::rparen) {
      n->children.push_back(expr(0));
      if (tok_.kind == Tok::comma) {
        advance();
        continue;
      }
      if (tok_.kind != Tok::rparen) unexpected("in the call to " + name + ": expected \",\" or \")\"");
    }
    advance();
    n->end = prev_end_;
    const size_t max_args = f->args.size(), min_args = max_args - f->optional_args;
    if (n->children.size() < min_args || n->children.size() > max_args) {
      const std::string expected =
          min_args == max_args ? std::to_string(max_args) : std::to_string(min_args) + " to " + std::to_string(max_args);
      fail(q_, begin, "wrong number of arguments for function \"" + name + "\": expected " + expected + ", got " +
                          std::to_string(n->children.size()));
    }
    for (size_t i = 0; i < n->children.size(); ++i) {
      if (n->children[i]->type != f->args[i])
        fail(q_, n->children[i]->begin, "expected type " + type_text(f->args[i]) + " in call to function \"" + name +
                                            "\", got " + type_text(n->children[i]->type));
    }
    return n;
  }

  std::string_view q_;
  Lexer lex_;
  Token tok_;
  size_t prev_end_ = 0;
  int depth_ = 0;
};

}  // namespace

bool Matcher::matches(const std::string& v) const {
  switch (op) {
    case MatchOp::equal: return v == value;
    case MatchOp::not_equal: return v != value;
    case MatchOp::regex: return std::regex_match(v, *re);
    case MatchOp::not_regex: return !std::regex_match(v, *re);
  }
  return false;
}

bool is_comparison(BinOp op) {
  return op == BinOp::eq || op == BinOp::ne || op == BinOp::gt || op == BinOp::lt || op == BinOp::ge || op == BinOp::le;
}

bool is_set_operator(BinOp op) { return op == BinOp::land || op == BinOp::lor || op == BinOp::lunless; }

const char* bin_op_text(BinOp op) {
  switch (op) {
    case BinOp::add: return "+";
    case BinOp::sub: return "-";
    case BinOp::mul: return "*";
    case BinOp::div: return "/";
    case BinOp::mod: return "%";
    case BinOp::pow: return "^";
    case BinOp::atan2: return "atan2";
    case BinOp::eq: return "==";
    case BinOp::ne: return "!=";
    case BinOp::gt: return ">";
    case BinOp::lt: return "<";
    case BinOp::ge: return ">=";
    case BinOp::le: return "<=";
    case BinOp::land: return "and";
    case BinOp::lor: return "or";
    case BinOp::lunless: return "unless";
  }
  return "?";
}

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::scalar: return "scalar";
    case ValueType::vector: return "vector";
    case ValueType::matrix: return "matrix";
    case ValueType::string: return "string";
  }
  return "?";
}

namespace {
std::string error_text(QueryError::Kind kind, int line, int col, const std::string& msg) {
  const char* k = kind == QueryError::Kind::parse         ? "parse error"
                  : kind == QueryError::Kind::unsupported ? "not supported"
                                                          : "evaluation error";
  return std::to_string(line) + ":" + std::to_string(col) + ": " + k + ": " + msg;
}
std::pair<int, int> line_col(std::string_view q, size_t pos) {
  int line = 1, col = 1;
  for (size_t i = 0; i < pos && i < q.size(); ++i) {
    if (q[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}
}  // namespace

QueryError::QueryError(Kind kind, std::string_view query, size_t position, std::string message)
    : std::runtime_error(error_text(kind, line_col(query, position).first, line_col(query, position).second, message)),
      kind_(kind),
      position_(position),
      line_(line_col(query, position).first),
      column_(line_col(query, position).second),
      message_(std::move(message)) {}

Query Query::parse(std::string_view text) {
  Query q;
  q.text_ = std::make_shared<const std::string>(text);
  Parser p(*q.text_);
  q.root_ = p.parse();
  return q;
}

ValueType Query::type() const { return root_->type; }

std::optional<int64_t> parse_promql_duration(std::string_view text) {
  size_t pos = 0;
  auto d = scan_duration(text, pos);
  if (!d || pos != text.size()) return std::nullopt;
  return d;
}

std::string format_promql_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out = ns < 0 ? "-" : "";
  uint64_t ms = (ns < 0 ? 0ULL - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns)) / 1'000'000ULL;
  static const std::pair<uint64_t, const char*> units[] = {{31'536'000'000ULL, "y"}, {604'800'000ULL, "w"},
                                                           {86'400'000ULL, "d"},     {3'600'000ULL, "h"},
                                                           {60'000ULL, "m"},         {1'000ULL, "s"},
                                                           {1ULL, "ms"}};
  for (const auto& [per, name] : units) {
    if (ms >= per) {
      out += std::to_string(ms / per) + name;
      ms %= per;
    }
  }
  return out;
}

}  // namespace faultline::sim::promql
