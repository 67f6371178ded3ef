// The durable log (native/gateway/store.cpp): what is appended survives a restart, durability is reported
// only after COMMIT, group commit batches concurrent appends, and bad files are refused with their name.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store.hpp"

using namespace tower;
using namespace tower::gateway;

namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("tower-store-test-" + std::to_string(random()) + "-" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::unique_ptr<Store> open_store(const std::string& path, Recovered& recovered) {
  auto store = Store::open(path, recovered);
  INFO((store ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::unique_ptr<Store> open_store(const std::string& path) {
  Recovered ignored;
  return open_store(path, ignored);
}

std::vector<Record> events(std::initializer_list<const char*> bodies) {
  std::vector<Record> records;
  for (const char* body : bodies) records.push_back(Record{"event", body});
  return records;
}

struct Outcome {
  bool ok = false;
  std::string message;
  std::uint64_t last_sequence = 0;
};

Outcome append_and_wait(Store& store, std::vector<Record> records) {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  store.append(std::move(records), [&promise](const Status& status, std::uint64_t last) {
    promise.set_value(Outcome{status.ok(), status.ok() ? std::string() : status.error().message, last});
  });
  return future.get();
}

// A second, independent connection: it sees only what has been committed.
struct Reader {
  sqlite3* db = nullptr;
  explicit Reader(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
  }
  ~Reader() { sqlite3_close(db); }
  std::vector<std::int64_t> integers(const char* sql) const {
    sqlite3_stmt* statement = nullptr;
    std::vector<std::int64_t> values;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) return {-1};
    while (sqlite3_step(statement) == SQLITE_ROW) values.push_back(sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
    return values;
  }
  bool exec(const char* sql) const { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
};

}  // namespace

TEST_CASE("records appended before a restart are read back in order", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  {
    auto store = open_store(path);
    store->append(events({"first", "second"}), {});
    store->append({Record{"customer_token", "{\"digest\":\"abc\"}"}}, {});
  }
  Recovered recovered;
  auto store = open_store(path, recovered);
  CHECK_FALSE(recovered.snapshot);
  CHECK(recovered.snapshot_sequence == 0);
  REQUIRE(recovered.records.size() == 3);
  CHECK(recovered.records[0].record.body == "first");
  CHECK(recovered.records[1].record.body == "second");
  CHECK(recovered.records[2].record.kind == "customer_token");
  CHECK(recovered.records[2].record.body == "{\"digest\":\"abc\"}");
}

TEST_CASE("sequences are contiguous from 1 and continue after a restart", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  {
    auto store = open_store(path);
    CHECK(store->append(events({"a", "b"}), {}) == 2);
    CHECK(store->append(events({"c"}), {}) == 3);
    CHECK(store->append({}, {}) == 3);
  }
  Recovered recovered;
  auto store = open_store(path, recovered);
  REQUIRE(recovered.records.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(recovered.records[i].sequence == i + 1);
  CHECK(store->stats().durable_sequence == 3);
  CHECK(store->append(events({"d", "e"}), {}) == 5);
}

TEST_CASE("a restart returns the newest snapshot and only the records after it", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  {
    auto store = open_store(path);
    store->append(events({"1", "2", "3"}), {});
    store->snapshot(2, "state after 2");
    store->append(events({"4", "5"}), {});
  }
  Recovered recovered;
  auto store = open_store(path, recovered);
  REQUIRE(recovered.snapshot);
  CHECK(*recovered.snapshot == "state after 2");
  CHECK(recovered.snapshot_sequence == 2);
  REQUIRE(recovered.records.size() == 3);
  CHECK(recovered.records[0].sequence == 3);
  CHECK(recovered.records[0].record.body == "3");
  CHECK(recovered.records[2].sequence == 5);
  CHECK(store->append(events({"6"}), {}) == 6);
}

TEST_CASE("writing a snapshot deletes the older snapshots", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  auto store = open_store(path);
  Reader reader(path);
  store->append(events({"1"}), {});
  store->snapshot(1, "state after 1");
  REQUIRE(append_and_wait(*store, events({"2"})).ok);
  REQUIRE(reader.integers("SELECT sequence FROM snapshots") == std::vector<std::int64_t>{1});
  store->snapshot(2, "state after 2");
  REQUIRE(append_and_wait(*store, events({"3"})).ok);
  CHECK(reader.integers("SELECT sequence FROM snapshots") == std::vector<std::int64_t>{2});
}

TEST_CASE("durable callbacks run after the commit, in order, with the last sequence of each append", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  auto store = open_store(path);
  Reader reader(path);  // used only from the writer thread, inside the callbacks
  std::vector<std::uint64_t> returned;
  std::vector<std::uint64_t> reported;
  std::vector<std::int64_t> committed_at_callback;
  for (int i = 0; i < 50; ++i) {
    std::vector<Record> records(static_cast<std::size_t>(i % 3 + 1), Record{"event", "x"});
    returned.push_back(store->append(std::move(records), [&](const Status& status, std::uint64_t last) {
      reported.push_back(status.ok() ? last : 0);
      const auto max = reader.integers("SELECT max(sequence) FROM records");
      committed_at_callback.push_back(max.empty() ? 0 : max.front());
    }));
  }
  store->close();
  CHECK(reported == returned);
  REQUIRE(committed_at_callback.size() == returned.size());
  for (std::size_t i = 0; i < returned.size(); ++i) {
    CHECK(committed_at_callback[i] >= static_cast<std::int64_t>(returned[i]));
  }
}

TEST_CASE("concurrent appends all become durable with distinct contiguous sequences in fewer commits", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  constexpr int threads = 4;
  constexpr int per_thread = 2000;
  constexpr std::uint64_t total = threads * per_thread;
  auto store = open_store(path);
  std::mutex mutex;
  std::vector<std::uint64_t> durable;
  std::atomic<int> failures{0};
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t previous = 0;
      for (int i = 0; i < per_thread; ++i) {
        const std::string body = std::to_string(t) + ":" + std::to_string(i);
        const std::uint64_t last = store->append({Record{"event", body}}, [&](const Status& status, std::uint64_t s) {
          if (!status) ++failures;
          std::lock_guard lock(mutex);
          durable.push_back(s);
        });
        if (last <= previous) ++out_of_order;
        previous = last;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  store->close();

  CHECK(failures == 0);
  CHECK(out_of_order == 0);
  REQUIRE(durable.size() == total);
  std::sort(durable.begin(), durable.end());
  for (std::uint64_t i = 0; i < total; ++i) REQUIRE(durable[i] == i + 1);
  const StoreStats stats = store->stats();
  CHECK(stats.records == total);
  CHECK(stats.durable_sequence == total);
  CHECK(stats.queued == 0);
  CHECK(stats.commits < total);
  REQUIRE(stats.batch_size_buckets.size() == 7);
  std::uint64_t bucketed = 0;
  for (std::uint64_t count : stats.batch_size_buckets) bucketed += count;
  CHECK(bucketed == stats.commits);

  Recovered recovered;
  open_store(path, recovered);
  CHECK(recovered.records.size() == total);
}

TEST_CASE("a secret is made once and read back after a restart", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  int made = 0;
  const auto make = [&made] {
    ++made;
    return std::string("key\0with\xffzero", 13);
  };
  std::string first;
  {
    auto store = open_store(path);
    auto secret = store->secret("hmac", make);
    REQUIRE(secret.ok());
    first = *secret;
    auto again = store->secret("hmac", make);
    REQUIRE(again.ok());
    CHECK(*again == first);
  }
  auto store = open_store(path);
  auto secret = store->secret("hmac", make);
  REQUIRE(secret.ok());
  CHECK(*secret == first);
  CHECK(first == std::string("key\0with\xffzero", 13));
  CHECK(made == 1);
}

TEST_CASE("opening a file that is not a database fails naming the file", "[store]") {
  TempDir dir;
  const std::string path = dir.file("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 512; ++i) out << "this is not an SQLite database. ";
  }
  Recovered recovered;
  auto store = Store::open(path, recovered);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(store.error().message, Catch::Contains(path) && Catch::Contains("not a database"));
}

TEST_CASE("opening in a directory that does not exist fails naming the file", "[store]") {
  TempDir dir;
  const std::string path = dir.file("missing/tower.db");
  Recovered recovered;
  auto store = Store::open(path, recovered);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(store.error().message, Catch::Contains(path));
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a store with a newer schema version is refused", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 2", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  Recovered recovered;
  auto store = Store::open(path, recovered);
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.error().message, Catch::Contains(path) && Catch::Contains("newer"));
}

TEST_CASE("after a failed commit every append fails and nothing is claimed durable", "[store]") {
  TempDir dir;
  const std::string path = dir.file("tower.db");
  {
    auto store = open_store(path);
    Reader other_writer(path);
    REQUIRE(other_writer.exec("BEGIN IMMEDIATE"));  // holds the write lock past the store's busy timeout
    const Outcome blocked = append_and_wait(*store, events({"lost"}));
    CHECK_FALSE(blocked.ok);
    CHECK_THAT(blocked.message, Catch::Contains("the store could not write"));
    REQUIRE(other_writer.exec("ROLLBACK"));
    const Outcome later = append_and_wait(*store, events({"also refused"}));
    CHECK_FALSE(later.ok);
    CHECK(store->stats().durable_sequence == 0);
  }
  Recovered recovered;
  open_store(path, recovered);
  CHECK(recovered.records.empty());
}
