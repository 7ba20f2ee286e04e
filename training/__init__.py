"""Training: pairs, tokenizer, the T5 model, the training loop, evaluation and the model registry."""
