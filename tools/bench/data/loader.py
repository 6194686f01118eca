# The PyTorch side of bench/loader.mjs: one epoch of torch.utils.data.DataLoader over the same
# shapes, best of several runs. Prints JSON {case: seconds}.
import json, sys, time
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

torch.manual_seed(0)
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
n = 60000

def best(make):
    times = []
    for _ in range(repeats):
        loader = make()
        t = time.perf_counter()
        for batch in loader:
            pass
        times.append(time.perf_counter() - t)
    return min(times)

x = torch.randn(n, 784)
y = torch.randint(0, 10, (n,))

class Images(Dataset):
    """uint8 images converted per item as torchvision's ToTensor does (without PIL)."""
    def __init__(self, data, targets):
        self.data, self.targets = data, targets
    def __len__(self):
        return len(self.data)
    def __getitem__(self, i):
        return self.data[i].unsqueeze(0).float().div(255), self.targets[i]

images = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8)
g = torch.Generator().manual_seed(0)
out = {
    'tensor_dataset': best(lambda: DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=g)),
    'image_dataset': best(lambda: DataLoader(Images(images, y), batch_size=64, shuffle=True, generator=g)),
}
print(json.dumps(out))
