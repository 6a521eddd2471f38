// tz::Mutex and tz::MutexLock, tz::SharedMutex with tz::ReaderLock and
// tz::WriterLock (crypto/thread_annotations.h): they lock, they work with
// std::condition_variable_any, and annotated code using them is clean under
// clang -Wthread-safety (the TZ_THREAD_SAFETY build compiles this file with
// -Werror).
#include "crypto/thread_annotations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace tz {
namespace {

class Counter {
 public:
  void Add(int n) TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    AddLocked(n);
    cv_.notify_all();
  }

  // Waits on the mutex itself, with an annotated predicate.
  int WaitFor(int target) TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    cv_.wait(mu_, [&]() TZ_REQUIRES(mu_) { return total_ >= target; });
    return total_;
  }

  // Waits on the scoped lock, asserting the mutex in the predicate.
  int WaitForViaLock(int target) TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    cv_.wait(lock, [&] {
      mu_.AssertHeld();
      return total_ >= target;
    });
    return total_;
  }

  int Get() TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return total_;
  }

  bool TryAdd(int n) TZ_EXCLUDES(mu_) {
    if (!mu_.try_lock()) return false;
    AddLocked(n);
    mu_.unlock();
    return true;
  }

  // Drops the lock inside its scope and takes it again.
  int UnlockRelock() TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    int before = total_;
    lock.unlock();
    lock.lock();
    return total_ - before;
  }

  // std::condition_variable through native().
  int WaitNative(int target) TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    std::unique_lock<std::mutex> native(mu_.native(), std::adopt_lock);
    native_cv_.wait(native, [&] {
      mu_.AssertHeld();
      return total_ >= target;
    });
    native.release();
    return total_;
  }
  void AddNative(int n) TZ_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    AddLocked(n);
    native_cv_.notify_all();
  }

 private:
  void AddLocked(int n) TZ_REQUIRES(mu_) { total_ += n; }

  Mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable native_cv_;
  int total_ TZ_GUARDED_BY(mu_) = 0;
};

// Readers share the mutex, writers exclude everyone.
class SharedCounter {
 public:
  void Add(int n) TZ_EXCLUDES(mu_) {
    WriterLock lock(mu_);
    total_ += n;
  }
  int Get() const TZ_EXCLUDES(mu_) {
    ReaderLock lock(mu_);
    return GetLocked();
  }
  // Holds the mutex shared while `inside` runs (to show readers overlap).
  int GetWhile(const std::function<void()>& inside) const TZ_EXCLUDES(mu_) {
    ReaderLock lock(mu_);
    inside();
    return total_;
  }
  bool TryAdd(int n) TZ_EXCLUDES(mu_) {
    if (!mu_.try_lock()) return false;
    total_ += n;
    mu_.unlock();
    return true;
  }
  std::optional<int> TryGet() const TZ_EXCLUDES(mu_) {
    if (!mu_.try_lock_shared()) return std::nullopt;
    int v = total_;
    mu_.unlock_shared();
    return v;
  }

 private:
  int GetLocked() const TZ_REQUIRES_SHARED(mu_) { return total_; }

  mutable SharedMutex mu_;
  int total_ TZ_GUARDED_BY(mu_) = 0;
};

TEST(ThreadAnnotations, MutexLockSerializes) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) c.Add(1);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Get(), 4000);
}

TEST(ThreadAnnotations, ConditionVariableAny) {
  Counter c;
  std::thread adder([&] {
    for (int i = 0; i < 10; ++i) c.Add(1);
  });
  EXPECT_GE(c.WaitFor(10), 10);
  EXPECT_GE(c.WaitForViaLock(10), 10);
  adder.join();
}

TEST(ThreadAnnotations, NativeConditionVariable) {
  Counter c;
  std::thread adder([&] {
    for (int i = 0; i < 5; ++i) c.AddNative(1);
  });
  EXPECT_GE(c.WaitNative(5), 5);
  adder.join();
  EXPECT_EQ(c.Get(), 5);
}

TEST(ThreadAnnotations, TryLockAndRelock) {
  Counter c;
  EXPECT_TRUE(c.TryAdd(2));
  EXPECT_EQ(c.UnlockRelock(), 0);
  EXPECT_EQ(c.Get(), 2);
}

TEST(ThreadAnnotations, WriterLockSerializes) {
  SharedCounter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        c.Add(1);
        EXPECT_GE(c.Get(), 1);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Get(), 4000);
}

TEST(ThreadAnnotations, ReaderLocksShare) {
  SharedCounter c;
  c.Add(3);
  // While one thread holds the mutex shared, another reader gets in (a
  // blocking read: it would hang if readers excluded each other) and a
  // writer does not (both from other threads: std::shared_mutex does not
  // let a thread lock it again in any mode).
  std::atomic<bool> reader_got_in{false}, writer_got_in{true};
  int v = c.GetWhile([&] {
    std::thread reader([&] { reader_got_in = c.Get() == 3; });
    reader.join();
    std::thread writer([&] { writer_got_in = c.TryAdd(1); });
    writer.join();
  });
  EXPECT_EQ(v, 3);
  EXPECT_TRUE(reader_got_in);
  EXPECT_FALSE(writer_got_in);
  EXPECT_TRUE(c.TryAdd(1));
  EXPECT_EQ(c.TryGet(), std::optional<int>(4));
}

}  // namespace
}  // namespace tz
