// The HTTP/1.1 edge: the listener and the per-connection HTTP session. Every connection runs on its own strand;
// the Handler's answer comes back to that strand through Respond. Upgrades on the live path go to the LiveHub
// (live_hub.cpp), which owns the WebSocket sessions.
#include "gateway/http_server.hpp"

#include <cassert>
#include <cctype>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string_view>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace tower::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr std::uint32_t kHeaderLimit = 8 * 1024;        // bytes of request line and headers
constexpr std::size_t kFirstRead = 4 * 1024;            // bytes asked for while idle
constexpr std::chrono::milliseconds kLinger{1'000};     // draining after an error response
constexpr std::chrono::milliseconds kAcceptRetry{100};  // after EMFILE and the like

// Disconnects and timeouts are a client's right, not the server's news.
bool is_ordinary_disconnect(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::not_connected || ec == beast::error::timeout ||
         ec == http::error::end_of_stream || ec == http::error::partial_message;
}

// The one place where I/O failures are reported.
void fail(const beast::error_code& ec, const char* what) {
  if (is_ordinary_disconnect(ec)) return;
  std::cerr << "gateway: " << what << ": " << ec.message() << '\n';
}

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = "{\"error\":{\"code\":\"" + json_escape(code) + "\",\"message\":\"" + json_escape(message) + "\"}}";
  return response;
}

std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string endpoint_name(const std::string& address, unsigned short port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

HttpRequest to_request(http::request<http::string_body>&& message, const std::string& client_address) {
  HttpRequest request;
  request.method = std::string(to_std(message.method_string()));
  const std::string_view target = to_std(message.target());
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    request.headers.emplace_back(lower_case(to_std(field.name_string())), std::string(to_std(field.value())));
  }
  request.body = std::move(message.body());
  request.client_address = client_address;
  request.received = std::chrono::steady_clock::now();
  return request;
}

// The wire form of a Handler's answer. Statuses that forbid a body lose it; a HEAD answer keeps its length.
http::response<http::string_body> to_message(const HttpResponse& answer, unsigned version, bool keep_alive,
                                             bool head) {
  http::response<http::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(answer.status));
  message.set(http::field::server, "tower");
  if (!answer.content_type.empty()) message.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) message.insert(name, value);
  message.keep_alive(keep_alive);
  const bool bodyless = answer.status == 204 || answer.status == 304;
  if (!bodyless) message.body() = answer.body;
  message.prepare_payload();
  if (head) message.body().clear();
  return message;
}

// Builds the wire response, falling back to a 500 when the Handler's answer cannot be sent as given
// (a status outside 200..599, a header Beast refuses).
http::response<http::string_body> safe_message(const HttpResponse& answer, unsigned version, bool keep_alive,
                                               bool head) {
  if (answer.status < 200 || answer.status > 599) {
    std::cerr << "gateway: the handler answered with status " << answer.status << '\n';
    return to_message(error_response(500, "internal", "the server failed to answer"), version, false, head);
  }
  try {
    return to_message(answer, version, keep_alive, head);
  } catch (const std::exception& error) {
    std::cerr << "gateway: cannot send the handler's answer: " << error.what() << '\n';
    return to_message(error_response(500, "internal", "the server failed to answer"), version, false, head);
  }
}

class HttpSession;

// What every session of one server shares. Sessions hold it, so it outlives the HttpServer object.
struct ServerState : std::enable_shared_from_this<ServerState> {
  using JoinLive = std::function<void(tcp::socket&&, const HttpRequest& upgrade, std::shared_ptr<void> connection)>;

  ServerState(net::io_context& io_context, HttpServerOptions server_options, Handler request_handler, LiveHub& hub)
      : io(io_context), options(std::move(server_options)), handler(std::move(request_handler)), live(hub),
        acceptor(io_context), accept_retry(io_context) {}

  void accept_next();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  void track(const std::shared_ptr<HttpSession>& session);
  void untrack(const HttpSession* session);
  void stop_sessions();

  net::io_context& io;
  const HttpServerOptions options;
  const Handler handler;
  LiveHub& live;
  JoinLive join_live;  // LiveHub::accept, which only HttpServer may call

  std::mutex acceptor_mutex;  // stop() closes the acceptor from any thread
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;  // touched only by the accept loop, which has one step outstanding

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};

  std::mutex sessions_mutex;  // for stop(), which tells every HTTP session
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions;
};

// Counts one open connection for max_connections; moves from the HTTP session to its WebSocket successor.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<ServerState> state) : state_(std::move(state)) { ++state_->connections; }
  ConnectionSlot(ConnectionSlot&& other) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (state_) --state_->connections;
  }

 private:
  std::shared_ptr<ServerState> state_;
};

// One HTTP connection: wait for a request, read it, hand it over, write the answer, repeat if keep-alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<ServerState> state, ConnectionSlot slot)
      : stream_(std::move(socket)), strand_(stream_.get_executor()), state_(std::move(state)),
        slot_(std::move(slot)) {
    beast::error_code ec;
    client_address_ = stream_.socket().remote_endpoint(ec).address().to_string();
  }

  ~HttpSession() {
    end_in_flight();
    state_->untrack(this);
  }

  void start() { net::post(strand_, [self = shared_from_this()] { self->wait_for_request(); }); }

  // Any thread. Idle connections close at once, unless a request has just arrived; one reading, handling or
  // writing ends after its answer.
  void on_stop() {
    net::post(strand_, [self = shared_from_this()] {
      beast::error_code ec;
      const bool arrived = self->stream_.socket().available(ec) > 0;
      if (self->phase_ == Phase::idle && !arrived) self->stream_.cancel();
    });
  }

  // On the strand: writes the Handler's answer.
  void answer(const HttpResponse& response) {
    if (phase_ != Phase::handling) return;
    write(safe_message(response, version_, keep_alive_ && !state_->stopping, head_), false);
  }

 private:
  enum class Phase { idle, reading, handling, writing, closing };

  // Delivers the Handler's answer to the session's strand, at most once. Holding the session keeps it alive
  // until the answer is written; a Responder dropped unanswered lets the session close.
  class Responder {
   public:
    explicit Responder(std::shared_ptr<HttpSession> session) : session_(std::move(session)) {}
    bool answer(HttpResponse response) {
      if (answered_.exchange(true)) return false;
      net::post(session_->strand_, [session = session_, response = std::move(response)] {
        session->answer(response);
      });
      return true;
    }

   private:
    std::shared_ptr<HttpSession> session_;
    std::atomic<bool> answered_{false};
  };

  // Idle: waits for the first byte of a request under idle_timeout.
  void wait_for_request() {
    if (state_->stopping) return close();
    phase_ = Phase::idle;
    if (buffer_.size() > 0) return read_request();
    stream_.expires_after(state_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            beast::bind_front_handler(&HttpSession::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return abandon(ec, "read");
    buffer_.commit(bytes);
    read_request();
  }

  // The whole request, headers dribbled or not, must arrive within request_timeout of its first byte.
  void read_request() {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->body_limit(std::uint64_t{state_->options.body_limit});
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(state_->options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_request, shared_from_this()));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      return reject(error_response(413, "payload_too_large",
                                   "the request body is larger than " +
                                       std::to_string(state_->options.body_limit) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return reject(error_response(431, "headers_too_large",
                                   "the request headers are larger than " + std::to_string(kHeaderLimit) +
                                       " bytes"));
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
        !is_ordinary_disconnect(ec)) {
      return reject(error_response(400, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    if (ec) return abandon(ec, "read");
    if (websocket::is_upgrade(parser_->get())) return upgrade();
    hand_over();
  }

  void upgrade() {
    const std::string_view target = to_std(parser_->get().target());
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != state_->options.live_path) {
      return reject(error_response(404, "not_found", "no WebSocket endpoint at " + std::string(path)));
    }
    if (state_->stopping) return close();
    phase_ = Phase::closing;
    const HttpRequest request = to_request(parser_->release(), client_address_);
    state_->join_live(stream_.release_socket(), request, std::make_shared<ConnectionSlot>(std::move(slot_)));
  }

  void hand_over() {
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_ = message.method() == http::verb::head;
    HttpRequest request = to_request(std::move(message), client_address_);

    phase_ = Phase::handling;
    ++state_->in_flight;
    in_flight_ = true;
    auto responder = std::make_shared<Responder>(shared_from_this());
    Respond respond = [responder](HttpResponse response) {
      [[maybe_unused]] const bool first = responder->answer(std::move(response));
      assert(first && "Respond called more than once");
    };
    try {
      state_->handler(std::move(request), std::move(respond));
    } catch (const std::exception& error) {
      std::cerr << "gateway: the handler threw: " << error.what() << '\n';
      responder->answer(error_response(500, "internal", "the server failed to answer"));
    } catch (...) {
      std::cerr << "gateway: the handler threw\n";
      responder->answer(error_response(500, "internal", "the server failed to answer"));
    }
  }

  // An error answer, then a lingering close so the client reads it rather than a reset.
  void reject(const HttpResponse& response) {
    write(safe_message(response, 11, false, false), true);
  }

  void write(http::response<http::string_body>&& message, bool linger) {
    phase_ = Phase::writing;
    response_ = std::move(message);
    stream_.expires_after(state_->options.idle_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), linger](beast::error_code ec, std::size_t) {
                        self->on_write(ec, linger);
                      });
  }

  void on_write(const beast::error_code& ec, bool linger) {
    end_in_flight();
    if (ec) return abandon(ec, "write");
    if (linger) return linger_close();
    if (!response_.keep_alive() || state_->stopping) return close();
    response_ = {};
    wait_for_request();
  }

  // Closing with unread bytes would send a reset that can destroy the answer in flight: stop sending, then
  // discard what the client still sends, for a short while.
  void linger_close() {
    phase_ = Phase::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLinger);
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kFirstRead), [self = shared_from_this()](beast::error_code ec,
                                                                                     std::size_t) {
      if (ec) return self->close();
      self->drain();
    });
  }

  void abandon(const beast::error_code& ec, const char* what) {
    fail(ec, what);
    close();
  }

  void close() {
    phase_ = Phase::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  void end_in_flight() {
    if (in_flight_) --state_->in_flight;
    in_flight_ = false;
  }

  beast::tcp_stream stream_;
  beast::tcp_stream::executor_type strand_;
  std::shared_ptr<ServerState> state_;
  ConnectionSlot slot_;
  std::string client_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Phase phase_ = Phase::idle;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  bool in_flight_ = false;
};

void ServerState::accept_next() {
  std::lock_guard lock(acceptor_mutex);
  if (!acceptor.is_open()) return;
  acceptor.async_accept(net::make_strand(io),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          self->on_accept(ec, std::move(socket));
                        });
}

void ServerState::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    fail(ec, "accept");
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([self = shared_from_this()](beast::error_code) { self->accept_next(); });
    return;
  }
  if (connections.load() >= options.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), shared_from_this(),
                                                 ConnectionSlot(shared_from_this()));
    track(session);
    session->start();
  }
  accept_next();
}

void ServerState::track(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(session.get(), session);
}

void ServerState::untrack(const HttpSession* session) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(session);
}

void ServerState::stop_sessions() {
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::lock_guard lock(sessions_mutex);
    for (const auto& [key, weak] : sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->on_stop();
}

}  // namespace

const std::string* HttpRequest::header(const std::string& lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return &value;
  }
  return nullptr;
}

struct HttpServer::State : ServerState {
  using ServerState::ServerState;
};

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler, LiveHub& live)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler), live)) {
  state_->join_live = [&live](tcp::socket&& socket, const HttpRequest& upgrade, std::shared_ptr<void> connection) {
    live.accept(std::move(socket), upgrade, std::move(connection));
  };
}

HttpServer::~HttpServer() { stop(); }

Result<unsigned short> HttpServer::start() {
  const auto& options = state_->options;
  const std::string where = endpoint_name(options.address, options.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "cannot listen on " + where + ": not an IP address");

  std::lock_guard lock(state_->acceptor_mutex);
  auto& acceptor = state_->acceptor;
  assert(!acceptor.is_open() && "HttpServer::start called twice");
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  const unsigned short port = ec ? 0 : acceptor.local_endpoint(ec).port();
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return make_error(ErrorCode::conflict, "cannot listen on " + where + ": " + ec.message());
  }
  net::post(state_->io, [state = state_] { state->accept_next(); });
  return port;
}

void HttpServer::stop() {
  state_->stopping = true;
  {
    std::lock_guard lock(state_->acceptor_mutex);
    beast::error_code ignored;
    if (state_->acceptor.is_open()) state_->acceptor.close(ignored);
  }
  state_->stop_sessions();
  state_->live.close_all();
}

std::size_t HttpServer::connections() const { return state_->connections.load(); }

std::size_t HttpServer::requests_in_flight() const { return state_->in_flight.load(); }

}  // namespace tower::gateway
