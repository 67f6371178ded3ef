// The headless backend: Dear ImGui with no window and no GPU, so the whole UI (layout, widgets, the tower
// view's draw lists and every command a click sends) runs in CTest. Frames are built, never rasterised.
#pragma once

#include <imgui.h>

#include "../app.hpp"

namespace tower::twin {

class NullPlatform {
 public:
  NullPlatform(int width, int height);
  ~NullPlatform();
  NullPlatform(const NullPlatform&) = delete;
  NullPlatform& operator=(const NullPlatform&) = delete;

  // One frame of `seconds`, with the mouse at (x, y) and the left button down or up.
  void frame(TwinApp& app, double seconds, ImVec2 mouse = ImVec2(-1, -1), bool mouse_down = false);
  // Vertices ImGui produced in the last frame: a drawn tower has thousands.
  int last_vertices() const;

 private:
  int width_, height_;
};

}  // namespace tower::twin
