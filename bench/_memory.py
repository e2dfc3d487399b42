"""Peak resident memory of a block of code, shared by the benchmarks in bench/."""
import threading
import psutil


class PeakRSS:
    "Sample this process's resident memory in a thread: `.base` at entry, `.peak` the highest seen inside (bytes)."
    def __init__(self, every:float=0.002): self.every = every

    def __enter__(self):
        self.proc, self.stop = psutil.Process(), threading.Event()
        self.base = self.peak = self.proc.memory_info().rss
        def sample():
            while not self.stop.is_set():
                self.peak = max(self.peak, self.proc.memory_info().rss); self.stop.wait(self.every)
        self.thread = threading.Thread(target=sample, daemon=True); self.thread.start()
        return self

    def __exit__(self, *a):
        self.stop.set(); self.thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def extra_mb(self) -> float: return (self.peak - self.base) / 2**20

    @property
    def peak_gib(self) -> float: return self.peak / 2**30
