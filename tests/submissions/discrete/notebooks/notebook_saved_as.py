{
  "nbformat": 4,
  "nbformat_minor": 0,
  "metadata": {
    "colab": {
      "provenance": [],
      "gpuType": "T4",
      "name": "notebook_saved_as.py"
    },
    "kernelspec": {
      "name": "python3",
      "display_name": "Python 3"
    },
    "language_info": {
      "name": "python"
    },
    "accelerator": "GPU"
  },
  "cells": [
    {
      "cell_type": "markdown",
      "source": "# Policy gradient: the pseudo-loss\n\nImplement `pseudo_loss` below, then train.",
      "metadata": {
        "id": "c00notebo"
      }
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c01notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o01-0000-4000-8000-000000000000"
      },
      "execution_count": 1,
      "source": "!pip install gymnasium==1.0.0 --quiet\n!pip install -q torch",
      "outputs": [
        {
          "output_type": "stream",
          "name": "stdout",
          "text": "Requirement already satisfied: torch\n"
        }
      ]
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c02notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o02-0000-4000-8000-000000000000"
      },
      "execution_count": 2,
      "source": "%matplotlib inline\nimport numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport gymnasium as gym\nfrom google.colab import drive\ndrive.mount('/content/drive')\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nprint('using', device)",
      "outputs": [
        {
          "output_type": "stream",
          "name": "stdout",
          "text": "Mounted at /content/drive\nusing cuda\n"
        }
      ]
    },
    {
      "cell_type": "markdown",
      "source": "## The loss\n\nL = -(1/N) sum_i log pi(a_i|s_i) q_i",
      "metadata": {
        "id": "c03notebo"
      }
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c04notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o04-0000-4000-8000-000000000000"
      },
      "execution_count": 3,
      "source": "%%time\ndef pseudo_loss(logits, actions, q_values):\n    \"\"\"-(1/N) sum_i log pi(a_i|s_i) q_i: its gradient is minus the policy gradient.\"\"\"\n    log_probs = F.log_softmax(logits, dim=-1)\n    taken = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)\n    return -(taken * q_values).mean()",
      "outputs": [
        {
          "output_type": "stream",
          "name": "stdout",
          "text": "CPU times: user 5 µs, sys: 1 µs, total: 6 µs\n"
        }
      ]
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c05notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o05-0000-4000-8000-000000000000"
      },
      "execution_count": 4,
      "source": "logits = torch.randn(5, 2, requires_grad=True)\nactions = torch.distributions.Categorical(logits=logits).sample()\nq = torch.randn(5)\nloss = pseudo_loss(logits, actions, q)\nprint(loss)\nloss.backward()\nlogits.grad",
      "outputs": [
        {
          "output_type": "stream",
          "name": "stdout",
          "text": "tensor(0.3132, grad_fn=<NegBackward0>)\n"
        },
        {
          "output_type": "execute_result",
          "metadata": {},
          "data": {
            "text/plain": "tensor([[ 0.1, -0.1],\n        [-0.2,  0.2]])"
          },
          "execution_count": 4
        }
      ]
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c06notebo"
      },
      "execution_count": 5,
      "source": "HIDDEN = 64\nGAMMA = 0.99\nLEARNING_RATE = 1e-2\n\nclass Policy(nn.Module):\n    def __init__(self, obs_dim=4, n_actions=2):\n        super().__init__()\n        self.net = nn.Sequential(nn.Linear(obs_dim, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, n_actions))\n\n    def forward(self, obs):\n        return self.net(obs)\n\ndef reward_to_go(rewards, gamma=GAMMA):\n    out, running = [], 0.0\n    for r in reversed(rewards):\n        running = r + gamma * running\n        out.append(running)\n    return out[::-1]\n\ndef train(policy, env, iterations=50):\n    optimizer = torch.optim.Adam(policy.parameters(), lr=LEARNING_RATE)\n    returns = []\n    for it in range(iterations):\n        obs, _ = env.reset()\n        batch_obs, batch_act, batch_rew = [], [], []\n        done = False\n        while not done:\n            logits = policy(torch.as_tensor(obs, dtype=torch.float32))\n            action = torch.distributions.Categorical(logits=logits).sample().item()\n            batch_obs.append(obs); batch_act.append(action)\n            obs, reward, terminated, truncated, _ = env.step(action)\n            batch_rew.append(reward)\n            done = terminated or truncated\n        q = torch.as_tensor(reward_to_go(batch_rew), dtype=torch.float32)\n        q = (q - q.mean()) / (q.std() + 1e-8)\n        logits = policy(torch.as_tensor(np.array(batch_obs), dtype=torch.float32))\n        loss = pseudo_loss(logits, torch.as_tensor(batch_act), q)\n        optimizer.zero_grad(); loss.backward(); optimizer.step()\n        returns.append(sum(batch_rew))\n    return returns",
      "outputs": []
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c07notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o07-0000-4000-8000-000000000000"
      },
      "execution_count": 6,
      "source": "import matplotlib.pyplot as plt\nenv = gym.make('CartPole-v1')\npolicy = Policy().to(device)\nreturns = train(policy, env)\nprint('final return', returns[-1])\nplt.plot(returns)\nplt.show()",
      "outputs": [
        {
          "output_type": "stream",
          "name": "stdout",
          "text": "final return 500.0\n"
        },
        {
          "output_type": "display_data",
          "metadata": {
            "needs_background": "light"
          },
          "data": {
            "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAAAAADbboAnAAAAL0lEQVR4nGNgkLOJqpi25RIDl4ZbStOCfXcYRIwC8npWnXgGk/nAAJX5xQCVYQEAQrQXYf46D7sAAAAASUVORK5CYII=\n",
            "text/plain": "<Figure size 640x480 with 1 Axes>"
          }
        }
      ]
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c08notebo",
        "colab": {
          "base_uri": "https://localhost:8080/",
          "height": 430
        },
        "outputId": "o08-0000-4000-8000-000000000000"
      },
      "execution_count": 7,
      "source": "# watch the trained agent forever (stop the cell to end)\nobs, _ = env.reset()\nwhile True:\n    action = policy(torch.as_tensor(obs)).argmax().item()\n    obs, reward, terminated, truncated, _ = env.step(action)\n    if terminated or truncated:\n        obs, _ = env.reset()",
      "outputs": [
        {
          "output_type": "error",
          "ename": "KeyboardInterrupt",
          "evalue": "",
          "traceback": [
            "KeyboardInterrupt                         Traceback (most recent call last)"
          ]
        }
      ]
    },
    {
      "cell_type": "code",
      "metadata": {
        "id": "c09notebo"
      },
      "execution_count": null,
      "source": "",
      "outputs": []
    }
  ]
}
