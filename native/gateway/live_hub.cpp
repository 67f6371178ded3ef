// The live feed: the LiveHub's fan-out policy (snapshot, then every broadcast; resync or drop the slow) and
// the WebSocket session each subscriber runs on. A session's socket lives on its strand; the hub's map lives
// on the sequencer; the only thing they share is the session's queue, behind a mutex.
#include "gateway/http_server.hpp"

#include <cassert>
#include <deque>
#include <iostream>

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

constexpr std::chrono::milliseconds kCloseDeadline{5'000};  // a close frame stuck behind a blocked write
constexpr std::size_t kClientMessageLimit = 64 * 1024;      // clients have nothing big to say
const std::string kShutdownReason = "server shutting down";

// The one place where WebSocket failures are reported; disconnects are a client's right, not news.
void fail(const beast::error_code& ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::broken_pipe || ec == net::error::not_connected || ec == beast::error::timeout ||
      ec == websocket::error::closed) {
    return;
  }
  std::cerr << "gateway: " << what << ": " << ec.message() << '\n';
}

}  // namespace

// A subscriber over WebSocket. The queue and its byte count sit behind a mutex rather than on the strand, so
// the sequencer reads the exact backlog and reset_backlog() takes effect before the next broadcast; the
// socket itself is touched only on the strand.
class LiveHub::WebSocketSession : public LiveHub::Subscriber, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(LiveHub& hub, tcp::socket&& socket, std::shared_ptr<void> connection)
      : hub_(hub), ws_(std::move(socket)), strand_(ws_.get_executor()), close_deadline_(strand_),
        connection_(std::move(connection)) {}

  // On the strand: answers the upgrade; on success subscribes and starts reading.
  void start(const http::request<http::empty_body>& upgrade) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timeouts
    // Suggested for servers: 30 s handshakes; a ping after 150 s of silence and a close after 300 s.
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "tower"); }));
    ws_.read_message_max(kClientMessageLimit);
    ws_.text(true);
    ws_.async_accept(upgrade, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
  }

  void send(std::shared_ptr<const std::string> text) override {
    {
      std::lock_guard lock(mutex_);
      if (!open_) return;
      backlog_ += text->size();
      queue_.push_back(std::move(text));
    }
    net::post(strand_, [self = shared_from_this()] { self->write_next(); });
  }

  std::size_t backlog_bytes() const override {
    std::lock_guard lock(mutex_);
    return backlog_;
  }

  void reset_backlog() override {
    std::lock_guard lock(mutex_);
    drop_queued();
  }

  void close(const std::string& reason) override {
    net::post(strand_, [self = shared_from_this(), reason] { self->begin_close(reason); });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish(ec, "websocket accept");
    accepted_ = true;
    subscribed_ = true;
    hub_.subscribe(shared_from_this());
    read_next();
  }

  // Client messages are read only so that pings get answered and a close is seen; their content is dropped.
  void read_next() {
    ws_.async_read(incoming_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish(ec, "websocket read");
    incoming_.consume(incoming_.size());
    read_next();
  }

  void write_next() {
    if (writing_ || closing_ || !accepted_) return;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return;
      writing_ = std::move(queue_.front());
      queue_.pop_front();
    }
    ws_.async_write(net::buffer(*writing_),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    {
      std::lock_guard lock(mutex_);
      backlog_ -= writing_->size();
    }
    writing_.reset();
    if (ec) return finish(ec, "websocket write");
    write_next();
  }

  // A client that stopped reading blocks the write, and the close frame waits behind it: the deadline then
  // cuts the TCP connection.
  void begin_close(const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    stop_sending();
    close_deadline_.expires_after(kCloseDeadline);
    close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) beast::get_lowest_layer(self->ws_).close();
    });
    const auto code = hub_.closed_ ? websocket::close_code::going_away : websocket::close_code::policy_error;
    ws_.async_close(websocket::close_reason(code, reason), [self = shared_from_this()](beast::error_code ec) {
      self->close_deadline_.cancel();
      fail(ec, "websocket close");
    });
  }

  void finish(const beast::error_code& ec, const char* what) {
    fail(ec, what);
    stop_sending();
    close_deadline_.cancel();
    beast::get_lowest_layer(ws_).close();
    if (subscribed_) hub_.unsubscribe(this);
    subscribed_ = false;
  }

  void stop_sending() {
    std::lock_guard lock(mutex_);
    open_ = false;
    drop_queued();
  }

  void drop_queued() {  // with mutex_ held
    for (const auto& message : queue_) backlog_ -= message->size();
    queue_.clear();
  }

  LiveHub& hub_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::tcp_stream::executor_type strand_;
  net::steady_timer close_deadline_;
  std::shared_ptr<void> connection_;  // the server counts the connection while this lives
  beast::flat_buffer incoming_;

  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> queue_;  // guarded by mutex_
  std::size_t backlog_ = 0;                                // guarded: queued plus the message being written
  bool open_ = true;                                       // guarded: false once closing; sends are dropped

  // Strand only.
  std::shared_ptr<const std::string> writing_;
  bool accepted_ = false;
  bool subscribed_ = false;
  bool closing_ = false;
};

LiveHub::LiveHub(Executor sequencer, std::function<std::string()> snapshot, std::size_t backlog_limit_bytes,
                 int drop_after)
    : sequencer_(std::move(sequencer)), snapshot_(std::move(snapshot)), backlog_limit_(backlog_limit_bytes),
      drop_after_(drop_after) {}

void LiveHub::broadcast(const std::string& text) {
  assert(sequencer_.running_in_this_thread() && "LiveHub::broadcast runs on the sequencer");
  const auto message = std::make_shared<const std::string>(text);
  std::shared_ptr<const std::string> snapshot;  // taken once for every subscriber this broadcast resyncs
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    auto& [subscriber, resyncs_in_a_row] = it->second;
    if (subscriber->backlog_bytes() <= backlog_limit_) {
      resyncs_in_a_row = 0;
      subscriber->send(message);
      ++it;
    } else if (++resyncs_in_a_row > drop_after_) {
      subscriber->close("subscriber too slow; reconnect");
      it = subscribers_.erase(it);
      ++drops_;
    } else {
      if (!snapshot) snapshot = std::make_shared<const std::string>(snapshot_());
      subscriber->reset_backlog();
      subscriber->send(snapshot);
      ++resyncs_;
      ++it;
    }
  }
  count_ = subscribers_.size();
}

void LiveHub::close_all() {
  closed_ = true;
  net::dispatch(sequencer_, [this] {
    for (auto& [key, entry] : subscribers_) entry.first->close(kShutdownReason);
    subscribers_.clear();
    count_ = 0;
  });
}

void LiveHub::subscribe(std::shared_ptr<Subscriber> subscriber) {
  net::post(sequencer_, [this, subscriber = std::move(subscriber)]() mutable {
    if (closed_) return subscriber->close(kShutdownReason);
    subscriber->send(std::make_shared<const std::string>(snapshot_()));
    const Subscriber* key = subscriber.get();
    subscribers_.insert_or_assign(key, std::make_pair(std::move(subscriber), 0));
    count_ = subscribers_.size();
  });
}

void LiveHub::unsubscribe(const Subscriber* subscriber) {
  net::post(sequencer_, [this, subscriber] {
    subscribers_.erase(subscriber);
    count_ = subscribers_.size();
  });
}

void LiveHub::accept(tcp::socket&& socket, const HttpRequest& upgrade, std::shared_ptr<void> connection) {
  const std::string target = upgrade.query.empty() ? upgrade.path : upgrade.path + "?" + upgrade.query;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  for (const auto& [name, value] : upgrade.headers) request.insert(name, value);
  std::make_shared<WebSocketSession>(*this, std::move(socket), std::move(connection))->start(request);
}

}  // namespace tower::gateway
