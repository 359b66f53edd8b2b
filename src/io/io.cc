// placeholder so the io library is never empty; replaced as the layer grows
namespace quokka::io {}
