/*
 * accel_workload.c - the GEMMs of the accelerator plugin's workloads.
 *
 * ResNet-50 v1.5 (He et al. 2016; torchvision's variant with the stride on
 * the 3x3 convolution), 224x224 input, batch 1, each convolution lowered by
 * im2col to m = output pixels, k = C_in * R * S, n = C_out. 4.09 GMACs and
 * 25.5 M weights in all. Batch-norm and pooling are left out (not GEMMs).
 *
 * BERT-base (Devlin et al. 2019): 12 encoder layers, hidden 768, 12 heads of
 * 64, FFN 3072, batch 1; per layer the fused QKV projection, per head the
 * score (QK^T) and context (PV) products, the output projection and the two
 * FFN layers. Softmax, layer norm and GELU are left out.
 */
#include <string.h>

#include "plugins/accel.h"

static const accel_gemm accel_resnet50[] = {
    {"conv1", 12544, 147, 64, 1},
    {"conv2_1a", 3136, 64, 64, 1},
    {"conv2_1b", 3136, 576, 64, 1},
    {"conv2_1c", 3136, 64, 256, 1},
    {"conv2_1sc", 3136, 64, 256, 1},
    {"conv2_a", 3136, 256, 64, 2},
    {"conv2_b", 3136, 576, 64, 2},
    {"conv2_c", 3136, 64, 256, 2},
    {"conv3_1a", 3136, 256, 128, 1},
    {"conv3_1b", 784, 1152, 128, 1},
    {"conv3_1c", 784, 128, 512, 1},
    {"conv3_1sc", 784, 256, 512, 1},
    {"conv3_a", 784, 512, 128, 3},
    {"conv3_b", 784, 1152, 128, 3},
    {"conv3_c", 784, 128, 512, 3},
    {"conv4_1a", 784, 512, 256, 1},
    {"conv4_1b", 196, 2304, 256, 1},
    {"conv4_1c", 196, 256, 1024, 1},
    {"conv4_1sc", 196, 512, 1024, 1},
    {"conv4_a", 196, 1024, 256, 5},
    {"conv4_b", 196, 2304, 256, 5},
    {"conv4_c", 196, 256, 1024, 5},
    {"conv5_1a", 196, 1024, 512, 1},
    {"conv5_1b", 49, 4608, 512, 1},
    {"conv5_1c", 49, 512, 2048, 1},
    {"conv5_1sc", 49, 1024, 2048, 1},
    {"conv5_a", 49, 2048, 512, 2},
    {"conv5_b", 49, 4608, 512, 2},
    {"conv5_c", 49, 512, 2048, 2},
    {"fc", 1, 2048, 1000, 1},
};

#define ACCEL_BERT_LAYERS 12
#define ACCEL_BERT_HEADS 12

static size_t accel_bert(double s, accel_gemm *out, size_t cap)
{
    const accel_gemm layer[] = {
        {"qkv", s, 768, 2304, ACCEL_BERT_LAYERS},
        {"scores", s, 64, s, ACCEL_BERT_LAYERS * ACCEL_BERT_HEADS},
        {"context", s, s, 64, ACCEL_BERT_LAYERS * ACCEL_BERT_HEADS},
        {"attn_out", s, 768, 768, ACCEL_BERT_LAYERS},
        {"ffn1", s, 768, 3072, ACCEL_BERT_LAYERS},
        {"ffn2", s, 3072, 768, ACCEL_BERT_LAYERS},
    };
    size_t n = sizeof layer / sizeof layer[0];
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = layer[i];
    return n;
}

static const char *const accel_names[] = {"resnet50", "bert128", "bert512", NULL};

const char *const *accel_workload_names(void)
{
    return accel_names;
}

size_t accel_workload(const char *name, accel_gemm *out, size_t cap)
{
    if (!name)
        return 0;
    if (strcmp(name, "resnet50") == 0) {
        size_t n = sizeof accel_resnet50 / sizeof accel_resnet50[0];
        for (size_t i = 0; i < n && i < cap; i++)
            out[i] = accel_resnet50[i];
        return n;
    }
    if (strcmp(name, "bert128") == 0)
        return accel_bert(128, out, cap);
    if (strcmp(name, "bert512") == 0)
        return accel_bert(512, out, cap);
    return 0;
}
